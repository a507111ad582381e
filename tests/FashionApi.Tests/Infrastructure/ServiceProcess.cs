using FashionApi.Hosting;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FashionApi.Tests.Infrastructure;

/// <summary>
/// The built service (<c>FashionApi.dll</c> beside the tests) run as a real process with <c>dotnet</c>, listening on a
/// free loopback port, with its output kept for failure messages. Only the settings passed in (and the address) are
/// set; nothing is inherited from the test's own <c>ASPNETCORE_*</c> or <c>FashionApi__*</c> environment.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    readonly Process process;
    readonly List<string> output = [];

    public string Name { get; }
    public HttpClient Http { get; }
    public int Id => process.Id;
    public bool HasExited => process.HasExited;

    ServiceProcess(string name, IReadOnlyDictionary<string, string> settings, int? userId = null)
    {
        Name = name;
        int port = FreeLoopbackPort();
        string app = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;
        string dll = Path.Combine(app, "FashionApi.dll");
        // As another user: setpriv (util-linux) switches before dotnet starts, as a container's USER would.
        var start = new ProcessStartInfo(userId is null ? "dotnet" : "setpriv",
            userId is { } id ? [$"--reuid={id}", $"--regid={id}", "--clear-groups", "--", "dotnet", dll] : [dll])
        {
            WorkingDirectory = app,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_") || k.StartsWith("FashionApi__") || k.StartsWith("Logging__")).ToList())
            start.Environment.Remove(key);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        if (userId is not null) start.Environment["DOTNET_CLI_HOME"] = start.Environment["HOME"] = Path.GetTempPath();
        foreach (var (key, value) in settings) start.Environment[key] = value;

        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(15) };
        if (settings.TryGetValue("FashionApi__ApiKey", out string? apiKey) && apiKey.Length > 0) Http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
    }

    /// <summary>Starts an instance with the given role on <paramref name="modelDirectory"/>; <paramref name="settings"/>
    /// are extra environment variables such as <c>FashionApi__StaleLeftoverAge</c>.</summary>
    /// <param name="userId">Run as this user (the tests run as root) instead of the test's own.</param>
    public static ServiceProcess Start(string name, InstanceRole role, string modelDirectory, string scratchDirectory,
        IReadOnlyDictionary<string, string>? settings = null, int? userId = null)
    {
        var all = new Dictionary<string, string>
        {
            ["FashionApi__Role"] = role.ToString().ToLowerInvariant(),
            ["FashionApi__ModelDirectory"] = modelDirectory,
            ["FashionApi__DatasetCacheDirectory"] = Path.Combine(scratchDirectory, "fashion-mnist"),
            ["FashionApi__TrainOnStartup"] = "false",
            ["Logging__LogLevel__FashionApi.Models"] = "Debug", // the store lock's taken/released lines
            ["FashionApi__ApiKey"] = FashionApiFactory.ApiKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) all[key] = value;
        return new ServiceProcess(name, all, userId);
    }

    /// <summary>Everything the process wrote so far.</summary>
    public IReadOnlyList<string> Output
    {
        get { lock (output) return output.ToList(); }
    }

    public string Log => $"--- {Name} (pid {process.Id}) output ---\n{string.Join('\n', Output)}";

    /// <summary>Waits until the process answers HTTP at all (any status), failing if it exits first.</summary>
    public async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        for (var deadline = DateTime.UtcNow + timeout; DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            Assert.False(process.HasExited, $"{Name} exited with {(process.HasExited ? process.ExitCode : 0)} before it listened.\n{Log}");
            try
            {
                await Http.GetAsync("/health/live");
                return;
            }
            catch (HttpRequestException) { } // not listening yet
        }
        Assert.Fail($"{Name} did not listen within {timeout.TotalSeconds} s.\n{Log}");
    }

    /// <summary>The native libraries and managed assemblies the process has mapped into memory (from /proc/&lt;pid&gt;/maps;
    /// .NET maps every assembly it loads).</summary>
    public IReadOnlyList<string> MappedLibraries() =>
        File.ReadAllLines($"/proc/{process.Id}/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && (fields[5].Contains(".so") || fields[5].EndsWith(".dll")))
            .Select(fields => Path.GetFileName(fields[5])).Distinct().ToList();

    /// <summary>A field of /proc/&lt;pid&gt;/status as a number (Threads, VmRSS in kB, FDSize...).</summary>
    public long Status(string field) =>
        long.Parse(File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith(field + ":")).Split(' ', '\t').Last(p => p.Length > 0 && char.IsDigit(p[0])));

    /// <summary>Open file descriptors of the process (sockets included).</summary>
    public int OpenFiles => Directory.GetFiles($"/proc/{process.Id}/fd").Length;

    /// <summary>SIGKILL: no shutdown code runs, as when a node dies or the OOM killer strikes.</summary>
    public void KillHard()
    {
        Assert.Equal(0, kill(process.Id, SigKill));
        Assert.True(process.WaitForExit(10_000), $"{Name} did not die within 10 s of SIGKILL.");
    }

    const int SigKill = 9;

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Http.Dispose();
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
        process.Dispose();
    }
}
