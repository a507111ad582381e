using System.Diagnostics;
using System.Globalization;
using System.Text;
using FashionApi.Benchmarks;
using FashionApi.Dataset;
using FashionApi.Softmax;
using FashionApi.Training;
using static FashionApi.Softmax.CamelCaseEnumConverter;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

// The in-process half of bench/run.sh. Modes:
//   prepare   DATASET_DIR OUT_DIR       request bodies for wrk: png/*.png, batch.json, batch.multipart
//   inprocess DATASET_DIR MEASUREMENTS  training times and in-process prediction throughput, appended as key=value
//   http-load URL PNG_DIR COUNT         exactly COUNT POST /predict requests over 32 connections; fails on any non-2xx
//   hostile   URL DATASET_DIR PASSES    the test suite's hostile corpus, PASSES times over 4 connections; fails on any 5xx
//   grpc-load ADDRESS DATASET_DIR SECONDS CALLS MEASUREMENTS  Open Inference Protocol ModelInfer, 256 UINT8 images as raw contents,
//                                       CALLS at a time on one HTTP/2 connection for SECONDS; appends grpc_infer_* readings
//   report    RESULTS_DIR               the markdown table, from measurements.txt and wrk-*.txt
//   photos    DATASET_DIR COUNT [MEASUREMENTS|- [SAVE_DIR]] accuracy on COUNT test images as product photos of every
//                                   kind, and the time to prepare a 1-megapixel JPEG (PhotoAccuracy.cs)
//   ceiling   URL                       serves a no-work POST /predict at URL until stopped (the HTTP ceiling)
//   train     DATASET_DIR REQUEST [RUNS] trains a POST /train body (JSON) RUNS times (default 1), printing each epoch
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

switch (args)
{
    case ["prepare", var dataset, var outDir]:
        Prepare(FashionMnist.Load(dataset).Test, outDir);
        return 0;
    case ["inprocess", var dataset, var measurements]:
        InProcess(FashionMnist.Load(dataset), measurements);
        return 0;
    case ["http-load", var url, var pngDir, var count]:
        return await HttpLoad(url, pngDir, int.Parse(count));
    case ["train", var dataset, var request, .. var runs]:
        TrainOnce(FashionMnist.Load(dataset), request, runs is [var times] ? int.Parse(times) : 1);
        return 0;
    case ["hostile", var url, var dataset, var passes]:
        return await Hostile(url, FashionMnist.Load(dataset).Test, int.Parse(passes));
    case ["photos", var dataset, var count, .. var rest]:
        PhotoAccuracy.Run(FashionMnist.Load(dataset), int.Parse(count), rest is [var path, ..] && path != "-" ? path : null, rest is [_, var save] ? save : null);
        return 0;
    case ["ceiling", var url]:
        return await Ceiling.RunAsync(url);
    case ["grpc-load", var address, var dataset, var seconds, var calls, var measurements]:
        return await GrpcLoad.RunAsync(address, FashionMnist.LoadTest(dataset), double.Parse(seconds), int.Parse(calls), measurements);
    case ["report", var resultsDir]:
        Console.Write(Report.Build(resultsDir));
        return 0;
    default:
        Console.Error.WriteLine("usage: prepare DATASET_DIR OUT_DIR | inprocess DATASET_DIR MEASUREMENTS | report RESULTS_DIR");
        return 2;
}

static void Prepare(FashionMnistSplit test, string outDir)
{
    const int SingleImages = 100, BatchSize = 256;
    Directory.CreateDirectory(Path.Combine(outDir, "png"));
    for (int i = 0; i < SingleImages; i++)
        File.WriteAllBytes(Path.Combine(outDir, "png", $"{i:D3}.png"), Png(test.Image(i)));

    var json = new StringBuilder("{\"instances\":[");
    for (int i = 0; i < BatchSize; i++)
        json.Append(i == 0 ? "[" : ",[").AppendJoin(',', test.Image(i).ToArray()).Append(']');
    File.WriteAllText(Path.Combine(outDir, "batch.json"), json.Append("]}").ToString());

    // run.sh sends this with Content-Type: multipart/form-data; boundary=fashionapi-bench
    using var multipart = File.Create(Path.Combine(outDir, "batch.multipart"));
    for (int i = 0; i < BatchSize; i++)
    {
        multipart.Write(Encoding.ASCII.GetBytes($"--fashionapi-bench\r\nContent-Disposition: form-data; name=\"images\"; " +
                                                $"filename=\"{i}.png\"\r\nContent-Type: image/png\r\n\r\n"));
        multipart.Write(Png(test.Image(i)));
        multipart.Write("\r\n"u8);
    }
    multipart.Write("--fashionapi-bench--\r\n"u8);

    // Open Inference Protocol, binary tensor data both ways (bench/post-infer.lua sends it with the header's length).
    var header = Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"pixels\",\"shape\":[" + BatchSize + ",784],\"datatype\":\"UINT8\"," +
                                        "\"parameters\":{\"binary_data_size\":" + BatchSize * FashionMnist.PixelCount + "}}]," +
                                        "\"parameters\":{\"binary_data_output\":true}}");
    File.WriteAllBytes(Path.Combine(outDir, "infer-binary.body"), [.. header, .. test.Pixels.AsSpan(0, BatchSize * FashionMnist.PixelCount)]);
    File.WriteAllText(Path.Combine(outDir, "infer-binary.header-length"), header.Length.ToString());
}

static async Task<int> Hostile(string url, FashionMnistSplit test, int passes)
{
    const int Connections = 4;
    var corpus = FashionApi.Tests.Hostile.HostileCorpus.Generate(Enumerable.Range(0, 4).Select(i => test.Image(i).ToArray()).ToList());
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Connections }) { BaseAddress = new Uri(url) };
    int next = -1, total = corpus.Count * passes, serverErrors = 0, failures = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Connections).Select(async _ =>
    {
        for (int i; (i = Interlocked.Increment(ref next)) < total;)
        {
            try
            {
                using var request = corpus[i % corpus.Count].ToMessage();
                using var response = await client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                if ((int)response.StatusCode >= 500) Interlocked.Increment(ref serverErrors);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref failures); // e.g. a connection the server closed after refusing an oversized body
            }
        }
    }));
    Console.Error.WriteLine($"[bench] hostile corpus: {total:N0} requests ({corpus.Count} × {passes}) in {clock.Elapsed.TotalSeconds:F1} s, " +
                            $"{serverErrors} answered 5xx, {failures} without an answer");
    return serverErrors == 0 ? 0 : 1;
}

static async Task<int> HttpLoad(string url, string pngDir, int count)
{
    const int Connections = 32;
    var bodies = Directory.GetFiles(pngDir, "*.png").Order().Select(File.ReadAllBytes).ToArray();
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Connections });
    int next = -1, failed = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Connections).Select(async _ =>
    {
        for (int i; (i = Interlocked.Increment(ref next)) < count;)
        {
            using var content = new ByteArrayContent(bodies[i % bodies.Length]);
            content.Headers.ContentType = new("image/png");
            using var response = await client.PostAsync(url, content);
            if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failed);
        }
    }));
    Console.Error.WriteLine($"[bench] {count:N0} requests to {url} in {clock.Elapsed.TotalSeconds:F1} s, {failed} failed");
    return failed == 0 ? 0 : 1;
}

static byte[] Png(ReadOnlySpan<byte> pixels)
{
    using var image = Image.LoadPixelData<L8>(pixels, FashionMnist.ImageSide, FashionMnist.ImageSide);
    using var stream = new MemoryStream();
    image.SaveAsPng(stream, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
    return stream.ToArray();
}

static void TrainOnce(FashionMnist data, string requestJson, int runs)
{
    var request = System.Text.Json.JsonSerializer.Deserialize<FashionApi.Training.TrainRequest>(requestJson,
        new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
    var (hp, errors) = request.Resolve();
    if (hp is null) throw new ArgumentException(string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
    using var tensors = new TrainingData(data);
    for (int run = 0; run < runs; run++)
    {
        var result = SoftmaxTrainer.Train(tensors, hp);
        foreach (var e in result.History)
            Console.WriteLine($"epoch {e.Epoch}: loss {e.Loss:F4}, train acc {e.TrainAccuracy:F4}, test acc {e.TestAccuracy:F4}");
        Console.WriteLine($"{Name(hp.Implementation)} seed {hp.Seed}: {result.Seconds:F3} s, test accuracy {result.Evaluation.TestAccuracy:F4}");
    }
}

static void InProcess(FashionMnist data, string measurementsPath)
{
    const int Runs = 5;
    var measurements = new List<string>();
    using var tensors = new TrainingData(data); // as the service does: made once, shared by every job
    ModelWeights? trained = null;
    (string Key, Hyperparameters Hp)[] configurations =
    [
        ("seed_fused", TrainingPresets.Seed),
        ("seed_scratch", TrainingPresets.Seed with { Implementation = Implementation.Scratch }),
        ("seed_builtin", TrainingPresets.Seed with { Implementation = Implementation.Builtin }),
        ("default", TrainingPresets.Default),
    ];
    foreach (var (key, hp) in configurations)
    {
        // One warm-up run (JIT, libtorch's lazy initialisation); the default preset's warm-up is a single epoch.
        SoftmaxTrainer.Train(tensors, key == "default" ? hp with { Epochs = 1 } : hp);
        var results = new List<TrainingResult>();
        for (int run = 0; run < Runs; run++)
        {
            GC.Collect();
            // The default preset is run with seeds 0–4, so its median accuracy is the one the preset promises.
            results.Add(SoftmaxTrainer.Train(tensors, key == "default" ? hp with { Seed = run } : hp));
            Console.Error.WriteLine($"[bench] training {key} run {run + 1}/{Runs}: {results[^1].Seconds:F3} s, " +
                                    $"test accuracy {results[^1].Evaluation.TestAccuracy:F4}");
        }
        var seconds = results.Select(r => r.Seconds).Order().ToList();
        var accuracies = results.Select(r => r.Evaluation.TestAccuracy).Order().ToList();
        measurements.Add($"train_{key}_seconds={seconds[Runs / 2]:F3}");
        measurements.Add($"train_{key}_seconds_min={seconds[0]:F3}");
        measurements.Add($"train_{key}_seconds_max={seconds[^1]:F3}");
        measurements.Add($"train_{key}_accuracy={accuracies[Runs / 2]:F4}");
        measurements.Add($"train_{key}_accuracy_min={accuracies[0]:F4}");
        measurements.Add($"train_{key}_accuracy_max={accuracies[^1]:F4}");
        measurements.Add($"train_{key}_settings={Name(hp.Implementation)}, {Name(hp.Optimizer)} lr {hp.LearningRate} {Name(hp.Schedule)}, " +
                         $"batch {hp.BatchSize}, {hp.Epochs} epochs{(hp.Shuffle ? " shuffled" : "")}{(key == "default" ? ", seeds 0–4" : "")}");
        trained = results[^1].Weights;
    }
    measurements.Add($"train_process_peak_rss_kb={ProcStatusKb("VmHWM")}");

    // The serving forward pass on the whole test set, single-threaded, repeated for about 3 seconds.
    var classifier = new SoftmaxClassifier(trained!);
    float[] pixels = SoftmaxClassifier.ScalePixels(data.Test.Pixels);
    classifier.Probabilities(pixels); // warm-up
    long images = 0;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < TimeSpan.FromSeconds(3))
    {
        classifier.Probabilities(pixels);
        images += data.Test.Count;
    }
    double perSecond = images / clock.Elapsed.TotalSeconds;
    Console.Error.WriteLine($"[bench] in-process: {images:N0} images in {clock.Elapsed.TotalSeconds:F2} s = {perSecond:N0} images/s");
    measurements.Add($"inprocess_images_per_second={perSecond:F0}");
    measurements.Add($"inprocess_images={images}");
    File.AppendAllLines(measurementsPath, measurements);
}

static long ProcStatusKb(string field) =>
    long.Parse(File.ReadLines("/proc/self/status").First(line => line.StartsWith(field + ":"))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
