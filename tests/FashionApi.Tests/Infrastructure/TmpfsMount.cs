using System.Diagnostics;

namespace FashionApi.Tests.Infrastructure;

/// <summary>A small tmpfs mounted on a directory, so a test can make a real file system full or read-only (EROFS,
/// ENOSPC), which root, as the tests run in CI, cannot otherwise be denied. Unmounted on dispose.</summary>
public sealed class TmpfsMount : IDisposable
{
    public string Path { get; }

    public TmpfsMount(string path, int kilobytes)
    {
        Path = path;
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k,mode=0755", "tmpfs", path);
    }

    public void ReadOnly(bool readOnly = true) => Run("mount", "-o", $"remount,{(readOnly ? "ro" : "rw")}", Path);

    /// <summary>Fills the file system until a write fails for want of space.</summary>
    public void Fill()
    {
        // Unbuffered, so nothing is left to flush (and fail) when it is closed.
        using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[64 * 1024];
        try
        {
            while (true) filler.Write(block);
        }
        catch (IOException) { }
        try
        {
            while (true) { filler.Write(block, 0, 512); filler.Flush(); }
        }
        catch (IOException) { }
    }

    static void Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error} (the tests run as root)");
    }

    public void Dispose()
    {
        try { Run("umount", "-l", Path); } catch (InvalidOperationException) { }
    }
}
