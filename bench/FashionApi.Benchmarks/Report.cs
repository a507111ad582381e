using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FashionApi.Benchmarks;

/// <summary>Turns the readings of one bench/run.sh run (measurements.txt, key=value, and the raw wrk outputs) into the
/// markdown table, each measurement next to its target.</summary>
public static partial class Report
{
    const int BatchSize = 256;

    public static string Build(string resultsDir)
    {
        var m = File.ReadLines(Path.Combine(resultsDir, "measurements.txt"))
            .Where(line => line.Contains('='))
            .Select(line => line.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1]);
        double Num(string key) => double.Parse(m[key], CultureInfo.InvariantCulture);
        var single = Wrk.Parse(Path.Combine(resultsDir, "wrk-single.txt"));
        var batchJson = Wrk.Parse(Path.Combine(resultsDir, "wrk-batch-json.txt"));
        var batchMultipart = Wrk.Parse(Path.Combine(resultsDir, "wrk-batch-multipart.txt"));

        var rows = new List<string[]>();
        void Row(string what, string result, string target = "", bool? met = null) =>
            rows.Add([what, result, target, met switch { true => "met", false => "**missed**", null => "" }]);

        string Training(string key) =>
            $"{Num($"train_{key}_seconds"):F2} s (runs {Num($"train_{key}_seconds_min"):F2}–{Num($"train_{key}_seconds_max"):F2}), " +
            $"test accuracy {Num($"train_{key}_accuracy"):F4}";
        // The target is the preset's, which trains with fused; scratch (written to be read) and builtin (the
        // framework's way) are measured for comparison.
        foreach (var impl in new[] { "fused", "scratch", "builtin" })
            Row($"Training, `seed` preset with `{impl}` ({m[$"train_seed_{impl}_settings"]}), median of 5",
                Training($"seed_{impl}"), impl == "fused" ? "≤ 0.3 s" : "", impl == "fused" ? Num($"train_seed_{impl}_seconds") <= 0.3 : null);
        Row($"Training, `default` preset ({m["train_default_settings"]}), median of 5",
            Training("default") + $" (seeds: {Num("train_default_accuracy_min"):F4}–{Num("train_default_accuracy_max"):F4})",
            "median accuracy ≥ 0.847 in ≤ 3 s", Num("train_default_accuracy") >= 0.847 && Num("train_default_seconds") <= 3);

        var ceiling = Wrk.Parse(Path.Combine(resultsDir, "wrk-ceiling.txt"));
        var compressible = Wrk.Parse(Path.Combine(resultsDir, "wrk-single-accept-encoding.txt"));
        double ofCeiling = single.RequestsPerSecond / ceiling.RequestsPerSecond;
        Row($"`POST /predict`, one 28×28 PNG (100 test images in turn), wrk {single.Options}: throughput",
            $"{single.RequestsPerSecond:N0} requests/s{single.ErrorNote}", "≥ 10,000 requests/s", single.RequestsPerSecond >= 10_000 && single.Clean);
        Row("… latency p50 / p99", $"{single.P50Ms:F2} ms / {single.P99Ms:F2} ms", "p99 ≤ 5 ms", single.P99Ms <= 5);
        Row($"… the ceiling: a no-work ASP.NET Core `POST` endpoint (reads the body, answers a fixed prediction-sized JSON), the same wrk load, same run",
            $"{ceiling.RequestsPerSecond:N0} requests/s (p50 {ceiling.P50Ms:F2} ms, p99 {ceiling.P99Ms:F2} ms){ceiling.ErrorNote}; " +
            $"`POST /predict` is {ofCeiling:F2}× of it", "≥ 0.5×", ofCeiling >= 0.5 && ceiling.Clean);
        Row("… the same from a client that sends `Accept-Encoding: br, gzip` (prediction answers are not compressed)",
            $"{compressible.RequestsPerSecond:N0} requests/s, p50 {compressible.P50Ms:F2} ms, p99 {compressible.P99Ms:F2} ms " +
            $"({100 * compressible.RequestsPerSecond / single.RequestsPerSecond:F0} % of the row above){compressible.ErrorNote}",
            "≥ 80 % of the row above", compressible.RequestsPerSecond >= 0.8 * single.RequestsPerSecond && compressible.Clean);
        // Each run while training is compared with the same (warm) server process measured idle just before it.
        var training = Wrk.Parse(Path.Combine(resultsDir, "wrk-single-training.txt"));
        var trainingIdle = Wrk.Parse(Path.Combine(resultsDir, "wrk-single-low-priority-idle.txt"));
        var trainingNormal = Wrk.Parse(Path.Combine(resultsDir, "wrk-single-training-normal.txt"));
        static string VersusIdle(Wrk w, Wrk idle) =>
            $"{w.RequestsPerSecond:N0} requests/s ({100 * w.RequestsPerSecond / idle.RequestsPerSecond:F0} % of idle), " +
            $"p50 {w.P50Ms:F2} ms, p99 {w.P99Ms:F2} ms ({w.P99Ms / idle.P99Ms:F1}× idle){w.ErrorNote}";
        Row($"… the same while `default` training jobs run back to back, training at low priority (`TrainAtLowPriority=true`, the default; " +
            $"{m["single-training_jobs"]} jobs finished in the 10 s); idle, the same process gave {trainingIdle.RequestsPerSecond:N0} requests/s, p99 {trainingIdle.P99Ms:F2} ms",
            VersusIdle(training, trainingIdle), "p99 ≤ 2× idle, throughput ≥ 80 % of idle",
            training.P99Ms <= 2 * trainingIdle.P99Ms && training.RequestsPerSecond >= 0.8 * trainingIdle.RequestsPerSecond && training.Clean);
        Row($"… the same with training at normal priority (`TrainAtLowPriority=false`), for comparison ({m["single-training-normal_jobs"]} jobs finished in the 10 s), against the first `POST /predict` row (same process, idle)",
            VersusIdle(trainingNormal, single));
        foreach (string implementation in new[] { "scratch", "builtin" })
            Row($"… the same while `{implementation}` jobs (the `default` preset's settings) run back to back: they cannot train at low priority, so " +
                $"outside Development they are refused (`POST /train` with training at low priority answered {m[$"low_priority_{implementation}_status"]}) " +
                $"unless `TrainAtLowPriority=false`; this is their cost then ({m[$"single-training-{implementation}_jobs"]} jobs finished in the 10 s)",
                VersusIdle(Wrk.Parse(Path.Combine(resultsDir, $"wrk-single-training-{implementation}.txt")), single),
                "refused at low priority (400)", m[$"low_priority_{implementation}_status"] == "400");
        Row($"`POST /predict/batch`, JSON `instances` of {BatchSize} images, wrk {batchJson.Options}",
            $"{batchJson.RequestsPerSecond * BatchSize:N0} images/s ({batchJson.RequestsPerSecond:N1} requests/s, p50 {batchJson.P50Ms:F1} ms){batchJson.ErrorNote}");
        Row($"`POST /predict/batch`, multipart `images`, {BatchSize} PNGs, wrk {batchMultipart.Options}",
            $"{batchMultipart.RequestsPerSecond * BatchSize:N0} images/s ({batchMultipart.RequestsPerSecond:N1} requests/s, p50 {batchMultipart.P50Ms:F1} ms){batchMultipart.ErrorNote}");
        // The Open Inference Protocol's binary requests against the JSON batch above: same images, same model.
        var inferBinary = Wrk.Parse(Path.Combine(resultsDir, "wrk-infer-binary.txt"));
        double binaryImages = inferBinary.RequestsPerSecond * BatchSize, jsonImages = batchJson.RequestsPerSecond * BatchSize;
        Row($"`POST /v2/models/fashion-mnist/infer`, {BatchSize} `UINT8` images as binary tensor data, outputs binary, wrk {inferBinary.Options}",
            $"{binaryImages:N0} images/s ({inferBinary.RequestsPerSecond:N1} requests/s, p50 {inferBinary.P50Ms:F1} ms), " +
            $"{binaryImages / jsonImages:F1}× the JSON batch{inferBinary.ErrorNote}", "≥ 5× the JSON `/predict/batch`",
            binaryImages >= 5 * jsonImages && inferBinary.Clean);
        double grpcImages = Num("grpc_infer_requests_per_second") * BatchSize;
        Row($"gRPC `ModelInfer`, {BatchSize} `UINT8` images as `raw_input_contents`, {m["grpc_infer_options"]} (bench grpc-load)",
            $"{grpcImages:N0} images/s ({Num("grpc_infer_requests_per_second"):N1} requests/s, p50 {Num("grpc_infer_p50_ms"):F1} ms, " +
            $"p99 {Num("grpc_infer_p99_ms"):F1} ms), {grpcImages / jsonImages:F1}× the JSON batch");
        Row("In-process `SoftmaxClassifier.Probabilities`, 10,000 test images repeated for 3 s, one thread",
            $"{Num("inprocess_images_per_second"):N0} images/s", "≥ 200,000 images/s", Num("inprocess_images_per_second") >= 200_000);

        Row("Preparing a 1-megapixel JPEG product photo (1155×866, decode + photo pipeline, `ImagePreprocessor.Prepare`), one thread, median of 200",
            $"{Num("photos_prepare_1mp_jpeg_ms"):F2} ms", "≤ 15 ms", Num("photos_prepare_1mp_jpeg_ms") <= 15);

        double peakMiB = Num("server_train_peak_rss_kb") / 1024;
        Row("Peak RSS (VmHWM) of the server: start-up training of `default`, then 10 `POST /train` jobs (`default`)",
            $"{peakMiB:N0} MiB ({Num("server_startup_training_peak_rss_kb") / 1024:N0} MiB after the first)", "≤ 600 MiB", peakMiB <= 600);
        Row("Peak RSS (VmHWM) of the benchmark process after all training runs above", $"{Num("train_process_peak_rss_kb") / 1024:N0} MiB");
        // The target (from the project's first benchmark issue) compares 1,000 with 100,000; the first requests come
        // before the GC has sized its budgets and before tiered compilation and the thread pool have settled, so the
        // 200,000 reading shows whether anything keeps growing once warm.
        double first = Num("rss_after_first_kb"), many = Num("rss_after_many_kb"), more = Num("rss_after_more_kb");
        double change = 100 * (many - first) / first, warmChange = 100 * (more - many) / many;
        Row("Server RSS after 1,000 and after 100,000 `POST /predict` PNG requests (32 connections); after 200,000",
            $"{first / 1024:N0} MiB → {many / 1024:N0} MiB ({change:+0.0;-0.0} %); {more / 1024:N0} MiB ({warmChange:+0.0;-0.0} % from 100,000)",
            "flat within 5 % (1,000 → 100,000)", Math.Abs(change) <= 5);
        double hostileStart = Num("hostile_rss_start_kb") / 1024, hostileAfter = Num("hostile_rss_after_kb") / 1024;
        Row("Server RSS when ready, and after the hostile corpus 10 times (about 13,000 malformed requests, 4 connections); peak",
            $"{hostileStart:N0} MiB → {hostileAfter:N0} MiB (peak {Num("hostile_peak_rss_kb") / 1024:N0} MiB)", "within 100 MiB of the start, below 400 MiB",
            hostileAfter - hostileStart <= 100 && hostileAfter < 400);
        Row($"Start-up: process start → `/health/ready` 200 with a persisted model, median of 3 ({m["startup_ms_all"]} ms)",
            $"{Num("startup_ms") / 1000:F2} s", "≤ 2 s", Num("startup_ms") <= 2000);

        var text = new StringBuilder();
        text.AppendLine($"Machine: {m["machine_nproc"]} cores, {m["machine_cpu"]}, {m["machine_memory"]}; .NET SDK {m["dotnet_version"]}; {m["machine_date"]}; commit {m["commit"]}")
            .AppendLine()
            .AppendLine("| Measurement | Result | Target | |")
            .AppendLine("| --- | --- | --- | --- |");
        foreach (var row in rows) text.AppendLine($"| {string.Join(" | ", row)} |");
        text.AppendLine().Append(PhotoTable(m));
        double others = Num("other_cpu_percent");
        text.AppendLine()
            .AppendLine($"Other processes used {others:F0} % of the machine's CPU time during the run" +
                        (others > 5 ? " — **the cores were shared, so these figures are pessimistic; rerun on an idle machine.**" : " (idle)."))
            .AppendLine()
            .AppendLine("HTTP figures are over loopback with wrk on the same cores as the server (it takes a good share of the CPU), " +
                        "so they understate what the server does with a separate load generator. Server started with " +
                        "`dotnet bench/results/publish/FashionApi.dll` (Release), logging at Warning.");
        return text.ToString();
    }

    /// <summary>Accuracy on product photos (bench photos): each kind against the same images' raw 28×28 accuracy (issue
    /// 18: within 0.02, 0.05 for tilts) and against the plain pipeline (never below it).</summary>
    static string PhotoTable(Dictionary<string, string> m)
    {
        double Num(string key) => double.Parse(m[key], CultureInfo.InvariantCulture);
        double raw = Num("photos_raw");
        var text = new StringBuilder()
            .AppendLine($"Product photos of the first {m["photos_count"]} test images (tests/…/Predictions/ProductPhotos.cs), `default` preset model; " +
                        $"raw 28×28 accuracy of the same images {raw:F3}:")
            .AppendLine()
            .AppendLine("| photo kind | raw 28×28 | service | plain pipeline | target | |")
            .AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (string kind in m.Keys.Where(k => k.StartsWith("photos_") && k.EndsWith("_service")).Select(k => k["photos_".Length..^"_service".Length]))
        {
            double service = Num($"photos_{kind}_service"), plain = Num($"photos_{kind}_plain"), allowed = kind == "tilt" ? 0.05 : 0.02;
            bool met = service >= raw - allowed && service >= plain;
            text.AppendLine($"| {kind} | {raw:F3} | {service:F3} | {plain:F3} | ≥ {raw - allowed:F3} and ≥ plain | {(met ? "met" : "**missed**")} |");
        }
        return text.ToString();
    }

    /// <summary>What one wrk run printed.</summary>
    sealed record Wrk(string Options, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors)
    {
        public bool Clean => Errors == 0;
        public string ErrorNote => Clean ? "" : $" — {Errors:N0} non-2xx/socket errors!";

        public static Wrk Parse(string path)
        {
            string text = File.ReadAllText(path);
            string options = CommandLinePattern().Match(text) is { Success: true } c ? c.Groups[1].Value : "";
            long errors = NonSuccessPattern().Matches(text).Sum(x => long.Parse(x.Groups[1].Value))
                          + SocketErrorsPattern().Matches(text).Sum(x => x.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value)));
            return new Wrk(
                options,
                double.Parse(RequestsPerSecondPattern().Match(text).Groups[1].Value, CultureInfo.InvariantCulture),
                Percentile(text, "50%"),
                Percentile(text, "99%"),
                errors);
        }

        static double Percentile(string text, string which)
        {
            var match = Regex.Match(text, $@"^\s+{which}\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline);
            double value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return match.Groups[2].Value switch { "us" => value / 1000, "ms" => value, "s" => value * 1000, _ => value * 60_000 };
        }
    }

    [GeneratedRegex(@"^# wrk (-t\d+ -c\d+ -d\d+s)", RegexOptions.Multiline)] private static partial Regex CommandLinePattern();
    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")] private static partial Regex RequestsPerSecondPattern();
    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")] private static partial Regex NonSuccessPattern();
    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")] private static partial Regex SocketErrorsPattern();
}
