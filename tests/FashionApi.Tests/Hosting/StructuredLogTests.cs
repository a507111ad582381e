using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FashionApi.Dataset;
using FashionApi.Tests.Infrastructure;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Hosting;

/// <summary>The service as a real process in Production, its console switched to JSON by the one documented setting.</summary>
[Trait("Category", "EndToEnd")]
public sealed class StructuredLogTests : IDisposable
{
    readonly TempDirectory root = new();
    readonly ConcurrentQueue<string> lines = new();
    Process? service;

    [Fact]
    public async Task One_setting_gives_json_lines_training_lines_carry_the_job_id_and_requests_are_not_logged()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "FashionApi.dll")])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment["Logging__Console__FormatterName"] = "json";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["FashionApi__ModelDirectory"] = Path.Combine(root.Path, "models");
        start.Environment["FashionApi__DatasetCacheDirectory"] = Path.Combine(root.Path, "fashion-mnist");
        start.Environment["FashionApi__DataDirectory"] = DatasetLocator.PackageDirectory;
        start.Environment["FashionApi__TrainOnStartup"] = "false";
        start.Environment["FashionApi__ApiKey"] = FashionApiFactory.ApiKey;
        service = Process.Start(start)!;
        service.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        service.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue("stderr: " + e.Data); };
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();

        // Every line is one JSON object; the listening address comes from the host's own log line.
        var listening = await WaitForLineAsync(l => Message(l).StartsWith("Now listening on: "), "the 'Now listening on' line");
        using var client = new HttpClient { BaseAddress = new Uri(Message(listening)["Now listening on: ".Length..]) };
        client.DefaultRequestHeaders.Add("X-Api-Key", FashionApiFactory.ApiKey);

        // Requests (logged by ASP.NET Core at Information unless filtered), then a job whose lines come after them.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/no-such-page")).StatusCode);
        var job = await (await client.PostAsync("/train", JsonBody(new { preset = "seed", epochs = 2 }))).AssertOkJsonAsync(HttpStatusCode.Accepted);
        string id = job.GetProperty("id").GetString()!;
        await WaitForLineAsync(l => Message(l).Contains($"Job {id} succeeded"), $"job {id} to succeed");

        var records = lines.Select(line =>
        {
            try { return JsonDocument.Parse(line).RootElement; }
            catch (JsonException) { throw new Xunit.Sdk.XunitException($"not a JSON line: {line}"); }
        }).ToList();
        var trainingLines = records.Where(r => Message(r).Contains(id)).ToList();
        Assert.True(trainingLines.Count >= 4, $"expected start, 2 epochs and success lines for job {id}: {string.Join('\n', lines)}");
        Assert.Contains(records, r => r.GetProperty("Category").GetString() == "FashionApi.Models.ModelStore" && JobIdScope(r) == id);
        foreach (var record in trainingLines)
            Assert.True(JobIdScope(record) == id, $"no JobId scope {id} on: {record}");
        Assert.DoesNotContain(records, r => r.GetProperty("Category").GetString()!.StartsWith("Microsoft.AspNetCore") &&
                                            r.GetProperty("LogLevel").GetString() is "Information" or "Debug" or "Trace");
    }

    static string Message(JsonElement record) => record.GetProperty("Message").GetString() ?? "";
    static string Message(string line) => Message(JsonDocument.Parse(line).RootElement);

    static string? JobIdScope(JsonElement record) =>
        record.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Select(s => s.TryGetProperty("JobId", out var v) ? v.GetString() : null).FirstOrDefault(v => v is not null)
            : null;

    async Task<string> WaitForLineAsync(Func<string, bool> wanted, string what)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(120); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            foreach (string line in lines)
            {
                if (line.StartsWith("stderr: ")) throw new Xunit.Sdk.XunitException($"the service wrote to stderr: {line}");
                if (!line.StartsWith('{')) throw new Xunit.Sdk.XunitException($"not a JSON line: {line}");
                if (wanted(line)) return line;
            }
            if (service!.HasExited) throw new Xunit.Sdk.XunitException($"the service exited ({service.ExitCode}) while waiting for {what}:\n{string.Join('\n', lines)}");
        }
        throw new TimeoutException($"Waited 120 s for {what}. Output:\n{string.Join('\n', lines)}");
    }

    public void Dispose()
    {
        if (service is { HasExited: false })
        {
            service.Kill(entireProcessTree: true);
            service.WaitForExit(10_000);
        }
        service?.Dispose();
        root.Dispose();
    }
}
