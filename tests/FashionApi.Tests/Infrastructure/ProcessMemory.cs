using System.Diagnostics;

namespace FashionApi.Tests.Infrastructure;

/// <summary>This process's memory and CPU as Linux reports them (the server under test runs in-process).</summary>
public static class ProcessMemory
{
    /// <summary>Resident set size now, in bytes (VmRSS).</summary>
    public static long Rss => StatusBytes("VmRSS");

    /// <summary>Peak resident set size since start or the last <see cref="ResetPeak"/>, in bytes (VmHWM).</summary>
    public static long Peak => StatusBytes("VmHWM");

    /// <summary>Starts a new peak from the current RSS ("5" to /proc/self/clear_refs, Linux 4.0+).</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    public static TimeSpan Cpu
    {
        get
        {
            using var process = Process.GetCurrentProcess();
            return process.TotalProcessorTime;
        }
    }

    static long StatusBytes(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":"))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }
}
