using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using FashionApi.Dataset;
using FashionApi.Tests.Infrastructure;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Hosting;

public partial class MetricsTests
{
    /// <summary>One scrape in Prometheus text format: series (name with its labels, as written) → value.</summary>
    sealed class Scrape(string text)
    {
        public string Text { get; } = text;

        public IReadOnlyDictionary<string, double> Series { get; } = text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => SeriesLine().Match(line))
            .Where(m => m.Success)
            .GroupBy(m => m.Groups["series"].Value)
            .ToDictionary(g => g.Key, g => double.Parse(g.First().Groups["value"].Value, CultureInfo.InvariantCulture));

        /// <summary>Sum over every series of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
        public double Sum(string name, params string[] labels) => Series
            .Where(s => (s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)) && labels.All(s.Key.Contains))
            .Sum(s => s.Value);

        public bool Has(string name, params string[] labels) => Series.Keys
            .Any(k => (k == name || k.StartsWith(name + "{", StringComparison.Ordinal)) && labels.All(k.Contains));
    }

    [GeneratedRegex(@"^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?) (?<value>\S+)( \d+)?$")]
    private static partial Regex SeriesLine();

    static async Task<Scrape> ScrapeAsync(HttpClient client, string path = "/metrics")
    {
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return new Scrape(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_after_real_traffic_have_prometheus_names_labels_and_counts_that_moved()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        var before = await ScrapeAsync(client);

        // Traffic: three single images, one JSON batch of two, a rejected body, and a one-epoch training job.
        var test = TestData.FashionMnist.Test;
        for (int i = 0; i < 3; i++)
            (await client.PostAsync("/predict", ImageContent(TestData.Png(test.Image(i))))).EnsureSuccessStatusCode();
        var instances = new[] { 0, 1 }.Select(i => test.Image(i).ToArray().Select(b => (int)b).ToArray()).ToArray();
        (await client.PostAsync("/predict/batch", JsonBody(new { instances }))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/predict", ImageContent([1, 2, 3]))).StatusCode);

        string version = await TrainAsync(client, epochs: 2);

        var after = await ScrapeAsync(client);
        string Moved(string name, params string[] labels) => $"{name}{{{string.Join(",", labels)}}}: {before.Sum(name, labels)} → {after.Sum(name, labels)}";

        // Predictions by class: at least the five images sent (other hosts in this test process may add more).
        Assert.True(after.Sum("fashionapi_predictions_total") - before.Sum("fashionapi_predictions_total") >= 5, Moved("fashionapi_predictions_total"));
        Assert.True(after.Has("fashionapi_predictions_total", "class=\"Ankle boot\""), "no class label 'Ankle boot'");
        // Latency per stage, as a histogram in seconds; images per forward pass.
        Assert.True(after.Sum("fashionapi_prediction_duration_seconds_count", "stage=\"forward\"") -
                    before.Sum("fashionapi_prediction_duration_seconds_count", "stage=\"forward\"") >= 4, Moved("fashionapi_prediction_duration_seconds_count", "stage=\"forward\""));
        Assert.True(after.Has("fashionapi_prediction_duration_seconds_bucket", "stage=\"forward\"", "le=\"0.001\""), "no 1 ms bucket");
        Assert.True(after.Sum("fashionapi_prediction_duration_seconds_count", "stage=\"preprocess\"") -
                    before.Sum("fashionapi_prediction_duration_seconds_count", "stage=\"preprocess\"") >= 3, Moved("fashionapi_prediction_duration_seconds_count", "stage=\"preprocess\""));
        // The refused body, counted by its reason.
        Assert.True(after.Sum("fashionapi_requests_rejected_total") - before.Sum("fashionapi_requests_rejected_total") >= 1, Moved("fashionapi_requests_rejected_total"));
        Assert.True(after.Has("fashionapi_requests_rejected_total", "reason=\"undecodableImage\"") || after.Has("fashionapi_requests_rejected_total", "reason=\"unsupportedMediaType\""),
            "no rejection labelled with the refused image's reason");
        Assert.True(after.Sum("fashionapi_prediction_batch_size_bucket", "le=\"2\"") - before.Sum("fashionapi_prediction_batch_size_bucket", "le=\"2\"") >= 4,
            Moved("fashionapi_prediction_batch_size_bucket", "le=\"2\""));
        // Training: outcome, epoch durations, the last job's per-epoch figures, the queue, the model now serving.
        Assert.True(after.Sum("fashionapi_training_jobs_total", "outcome=\"succeeded\"") - before.Sum("fashionapi_training_jobs_total", "outcome=\"succeeded\"") >= 1,
            Moved("fashionapi_training_jobs_total", "outcome=\"succeeded\""));
        Assert.True(after.Sum("fashionapi_training_epoch_duration_seconds_count") - before.Sum("fashionapi_training_epoch_duration_seconds_count") >= 2,
            Moved("fashionapi_training_epoch_duration_seconds_count"));
        Assert.True(after.Has("fashionapi_training_last_job_loss", "epoch=\"2\""), "no loss for epoch 2");
        Assert.True(after.Has("fashionapi_training_last_job_accuracy", "epoch=\"2\"", "split=\"test\""), "no test accuracy for epoch 2");
        Assert.True(after.Has("fashionapi_training_queue_length"), "no queue length");
        Assert.True(after.Has("fashionapi_model_active_info", $"version=\"{version}\"", "implementation=\"fused\""), $"no info series for {version}");
        Assert.True(after.Has("fashionapi_model_test_accuracy"), "no active model accuracy");
        Assert.True(after.Sum("fashionapi_model_reloads_total") >= 1, "the start-up load counts as a reload");
        // The framework's own instrumentation: HTTP server requests and the .NET runtime.
        Assert.True(after.Has("http_server_request_duration_seconds_count", "http_route=\"/predict/\"", "http_response_status_code=\"200\""), "no ASP.NET Core request metrics");
        Assert.Contains("dotnet_gc_", after.Text);

        // The per-epoch gauges follow the last job only: after a one-epoch job, epoch 2 goes. (OpenTelemetry exports a
        // replaced instrument's last values once more, and the exporter caches a scrape for 300 ms: so poll.)
        await TrainAsync(client, epochs: 1);
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(400))
        {
            var next = await ScrapeAsync(client);
            Assert.True(next.Has("fashionapi_training_last_job_loss", "epoch=\"1\""), "no loss for epoch 1 of the next job");
            if (!next.Has("fashionapi_training_last_job_loss", "epoch=\"2\"")) break;
            Assert.True(DateTime.UtcNow < deadline, "epoch 2 of the previous job is still reported 10 s after the next job finished");
        }
    }

    /// <summary>Runs a <c>seed</c> job with <paramref name="epochs"/> epochs to success; returns its model version.</summary>
    static async Task<string> TrainAsync(HttpClient client, int epochs)
    {
        var started = await (await client.PostAsync("/train", JsonBody(new { preset = "seed", epochs }))).AssertOkJsonAsync(HttpStatusCode.Accepted);
        string job = $"/train/{started.GetProperty("id").GetString()}";
        for (var deadline = DateTime.UtcNow.AddSeconds(120); ; await Task.Delay(100))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{job} did not succeed within 120 s");
            var state = await (await client.GetAsync(job)).AssertOkJsonAsync();
            Assert.NotEqual("failed", state.GetProperty("status").GetString());
            if (state.GetProperty("status").GetString() == "succeeded") return state.GetProperty("modelVersion").GetString()!;
        }
    }

    [Fact]
    public async Task The_metrics_path_is_configurable_and_metrics_can_be_switched_off()
    {
        using (var moved = new FashionApiFactory(seedModel: false, new() { ["FashionApi:MetricsPath"] = "/internal/prometheus" }))
        {
            var client = moved.CreateClient();
            Assert.Contains("fashionapi_training_queue_length", (await ScrapeAsync(client, "/internal/prometheus")).Text);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/metrics")).StatusCode);
        }
        using var off = new FashionApiFactory(seedModel: false, new() { ["FashionApi:MetricsEnabled"] = "false" });
        Assert.Equal(HttpStatusCode.NotFound, (await off.CreateClient().GetAsync("/metrics")).StatusCode);
    }
}
