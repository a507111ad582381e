// MSBuild inline task (RoslynCodeTaskFactory) used by build/TorchSharpOnOlderLibstdcxx.targets.
//
// Why: TorchSharp 0.107.0's libLibTorchSharp.so declares a need for GLIBCXX_3.4.32 (GCC 13+) because GCC 13's
// <iostream> references std::ios_base_library_init() purely to pull that version in; nothing calls it. Debian 12
// ships GCC 12's libstdc++ (up to GLIBCXX_3.4.30), so the loader refuses the library and the first tensor throws.
// Marking such a version need VER_FLG_WEAK in .gnu.version_r makes the loader treat it as optional. We only touch
// needs the host's libstdc++ really lacks, so on hosts with a newer libstdc++ this is a no-op.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenMissingGlibcxxNeeds : Task
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlagWeak = 0x2;

    /// <summary>ELF shared objects in the build or publish output to inspect.</summary>
    [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Candidate paths of the host's libstdc++.so.6; the first that exists is used.</summary>
    [Required] public string[] HostLibstdcxxCandidates { get; set; } = Array.Empty<string>();

    public override bool Execute()
    {
        string? host = HostLibstdcxxCandidates.FirstOrDefault(File.Exists);
        if (host is null)
        {
            Log.LogMessage(MessageImportance.Low, "No host libstdc++.so.6 found; leaving TorchSharp natives as shipped.");
            return true;
        }
        string hostText = Encoding.ASCII.GetString(File.ReadAllBytes(host));
        foreach (var item in Libraries)
        {
            string path = item.ItemSpec;
            byte[] elf = File.ReadAllBytes(path);
            var weakened = WeakenNeeds(elf, version => !hostText.Contains(version + "\0"));
            if (weakened.Count == 0) continue;

            // Write aside and rename, so a hard link into the NuGet cache (if any) is never modified.
            string temp = path + ".weakening";
            File.WriteAllBytes(temp, elf);
            File.Delete(path);
            File.Move(temp, path);
            Log.LogMessage(MessageImportance.High,
                $"{Path.GetFileName(path)}: marked {string.Join(", ", weakened)} optional ({host} lacks it).");
        }
        return true;
    }

    static List<string> WeakenNeeds(byte[] elf, Func<string, bool> isMissing)
    {
        var changed = new List<string>();
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F'
            || elf[4] != 2 /* 64-bit */ || elf[5] != 1 /* little-endian */)
            return changed;

        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;

            int offset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            int entries = (int)BitConverter.ToUInt32(elf, sh + 0x2C);
            int strtab = checked((int)BitConverter.ToUInt64(elf, checked((int)shoff + link * shentsize) + 0x18));

            int need = offset;
            for (int n = 0; n < entries; n++)
            {
                int count = BitConverter.ToUInt16(elf, need + 2);
                string file = ReadString(elf, strtab + (int)BitConverter.ToUInt32(elf, need + 4));
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int a = 0; a < count; a++)
                {
                    ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                    string version = ReadString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8));
                    if (file.StartsWith("libstdc++", StringComparison.Ordinal) && version.StartsWith("GLIBCXX_", StringComparison.Ordinal)
                        && (flags & VerFlagWeak) == 0 && isMissing(version))
                    {
                        BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(elf, aux + 4);
                        changed.Add(version);
                    }
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(elf, need + 12);
            }
        }
        return changed;
    }

    static string ReadString(byte[] bytes, int start)
    {
        int end = Array.IndexOf(bytes, (byte)0, start);
        return Encoding.ASCII.GetString(bytes, start, end - start);
    }
}
