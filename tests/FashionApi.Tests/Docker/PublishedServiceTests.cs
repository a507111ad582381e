using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using FashionApi.Dataset;
using FashionApi.Tests.Infrastructure;

namespace FashionApi.Tests.Docker;

/// <summary>What the container would do, without Docker: the Dockerfile's own restore and publish commands, then its
/// ENTRYPOINT started with its runtime ENV, trained, queried, and stopped the way <c>docker stop</c> does (SIGTERM).</summary>
[Trait("Category", "EndToEnd")]
public sealed class PublishedServiceTests : IDisposable
{
    readonly DockerfileModel dockerfile = DockerfileModel.Load();
    readonly TempDirectory temp = new();
    readonly List<string> serviceOutput = [];
    Process? service;

    [Fact]
    public async Task The_published_service_trains_serves_and_stops_cleanly_on_SIGTERM()
    {
        string app = Path.Combine(temp.Path, "app"), models = Path.Combine(temp.Path, "models");
        await PublishAsync(app);

        int port = FreeLoopbackPort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        StartService(app, port, models);

        await WaitUntilReadyAsync(http, TimeSpan.FromSeconds(120));

        var model = await http.GetFromJsonAsync<JsonElement>("/model");
        string version = model.GetProperty("version").GetString()!;

        var test = TestData.FashionMnist.Test;
        using var form = new MultipartFormDataContent();
        var png = new ByteArrayContent(TestData.Png(test.Image(0)));
        png.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(png, "image", "test-0.png");
        var response = await http.PostAsync("/predict", form);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /predict answered {(int)response.StatusCode}: {body}\n{Log}");
        var prediction = JsonDocument.Parse(body).RootElement;
        Assert.Equal(test.Labels[0], prediction.GetProperty("label").GetInt32());
        Assert.Equal(version, prediction.GetProperty("modelVersion").GetString());

        // docker stop sends SIGTERM, then SIGKILL after its grace period (10 s by default).
        Assert.Equal(0, kill(service!.Id, SigTerm));
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try { await service.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { Assert.Fail($"The service did not exit within 10 s of SIGTERM.\n{Log}"); }
        }
        Assert.True(service.ExitCode == 0, $"The service exited with {service.ExitCode} after SIGTERM.\n{Log}");

        // What a restarted container would load: the active version, whole, its weights matching the manifest.
        string active = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(models, "active.json"))).RootElement.GetProperty("version").GetString()!;
        Assert.Equal(version, active);
        string versionDirectory = Path.Combine(models, "versions", version);
        var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(versionDirectory, "manifest.json"))).RootElement;
        byte[] weights = File.ReadAllBytes(Path.Combine(versionDirectory, "weights.bin"));
        Assert.Equal(manifest.GetProperty("weightsSha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(weights)));
        Assert.Empty(Directory.GetDirectories(Path.Combine(models, "versions"), ".*")); // no half-written version left
    }

    /// <summary>Runs the Dockerfile's restore and publish as written, except that the output goes to <paramref name="app"/>
    /// and obj/bin to a private artifacts directory, so builds running in the same checkout are not disturbed.</summary>
    async Task PublishAsync(string app)
    {
        string artifacts = Path.Combine(temp.Path, "artifacts");
        string[] restore = dockerfile.DotnetCommand("restore"), publish = dockerfile.DotnetCommand("publish");
        int output = Array.FindIndex(publish, a => a is "-o" or "--output");
        Assert.True(output >= 0, "The Dockerfile's publish has no -o");
        publish[output + 1] = app;

        await RunDotnetAsync([.. restore, "--artifacts-path", artifacts]);
        await RunDotnetAsync([.. publish, "--artifacts-path", artifacts]);
    }

    static async Task RunDotnetAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = DockerfileModel.RepositoryRoot, // the Dockerfile's build context
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // No MSBuild nodes or compiler server outliving the build: they would hold our output pipes open.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["UseSharedCompilation"] = "false";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within 5 minutes.");
        }
        Assert.True(process.ExitCode == 0,
            $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
    }

    /// <summary>Starts the image's ENTRYPOINT in its WORKDIR with its ENV; only the address (loopback, a free port) and
    /// the model directory (standing in for the volume) differ.</summary>
    void StartService(string app, int port, string models)
    {
        string[] entrypoint = dockerfile.Entrypoint;
        var start = new ProcessStartInfo(entrypoint[0], entrypoint[1..])
        {
            WorkingDirectory = app,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_") || k.StartsWith("FashionApi__")).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in dockerfile.RuntimeEnvironment) start.Environment[key] = value;
        start.Environment["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{port}";
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{FreeLoopbackPort()}";
        start.Environment["FashionApi__ModelDirectory"] = models;

        service = new Process { StartInfo = start };
        service.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (serviceOutput) serviceOutput.Add(e.Data); };
        service.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (serviceOutput) serviceOutput.Add(e.Data); };
        service.Start();
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();
    }

    async Task WaitUntilReadyAsync(HttpClient http, TimeSpan timeout)
    {
        for (var deadline = DateTime.UtcNow + timeout; DateTime.UtcNow < deadline; await Task.Delay(500))
        {
            Assert.False(service!.HasExited, $"The service exited with {(service.HasExited ? service.ExitCode : 0)} before it was ready.\n{Log}");
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { } // not listening yet
            catch (TaskCanceledException) { } // one probe slower than the client's 10 s on a busy machine: ask again
        }
        Assert.Fail($"The service was not ready within {timeout.TotalSeconds} s.\n{Log}");
    }

    string Log
    {
        get { lock (serviceOutput) return "Service output:\n" + string.Join('\n', serviceOutput); }
    }

    static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    public void Dispose()
    {
        if (service is { HasExited: false }) service.Kill(entireProcessTree: true);
        service?.WaitForExit(10_000);
        service?.Dispose();
        temp.Dispose();
    }
}
