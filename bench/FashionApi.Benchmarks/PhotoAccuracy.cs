using System.Diagnostics;
using FashionApi.Dataset;
using FashionApi.Predictions;
using FashionApi.Softmax;
using FashionApi.Tests.Predictions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FashionApi.Benchmarks;

/// <summary>
/// The "photos" mode: accuracy of one model on the test set's first images as product photos of every kind the test
/// suite makes (tests/…/Photos), through the service's preprocessing and through the plain pipeline it is compared
/// with, next to the accuracy on the same images as the dataset's own 28×28 pixels; and the time to prepare a
/// 1-megapixel JPEG on one core.
/// </summary>
public static class PhotoAccuracy
{
    public static void Run(FashionMnist data, int count, string? measurementsPath)
    {
        using var tensors = new TrainingData(data);
        var model = new SoftmaxClassifier(SoftmaxTrainer.Train(tensors, TrainingPresets.Default).Weights);
        var preprocessor = CreatePreprocessor();
        var test = data.Test;
        var lines = new List<string>();

        double Accuracy(byte[][] images)
        {
            var pixels = SoftmaxClassifier.ScalePixels(images.SelectMany(i => i).ToArray());
            var probabilities = model.Probabilities(pixels);
            int correct = 0;
            for (int i = 0; i < images.Length; i++)
                if (SoftmaxClassifier.ArgMax(probabilities.AsSpan(i * 10, 10)) == test.Labels[i]) correct++;
            return correct / (double)images.Length;
        }

        double raw = Accuracy(Enumerable.Range(0, count).Select(i => test.Image(i).ToArray()).ToArray());
        Console.WriteLine($"| photo kind ({count} test images each) | raw 28×28 | service | plain pipeline | warnings |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        lines.Add($"photos_count={count}");
        lines.Add($"photos_raw={raw:F3}");
        var only = Environment.GetEnvironmentVariable("PHOTO_KINDS")?.Split(',');
        string? save = Environment.GetEnvironmentVariable("PHOTO_SAVE");
        foreach (var kind in Enum.GetValues<PhotoKind>())
        {
            if (only is not null && !only.Contains(kind.ToString())) continue;
            var service = new byte[count][];
            var plain = new byte[count][];
            int warned = 0;
            long generateTicks = 0, serviceTicks = 0;
            Parallel.For(0, count, i =>
            {
                long t0 = Stopwatch.GetTimestamp();
                var photo = ProductPhotos.Make(kind, i, test.Image(i));
                long t1 = Stopwatch.GetTimestamp();
                var prepared = preprocessor.Prepare(photo, InvertMode.Auto, CancellationToken.None);
                long t2 = Stopwatch.GetTimestamp();
                Interlocked.Add(ref generateTicks, t1 - t0);
                Interlocked.Add(ref serviceTicks, t2 - t1);
                service[i] = prepared.Pixels;
                if (prepared.Preprocessing.Warnings.Count > 0) Interlocked.Increment(ref warned);
                plain[i] = PlainPipeline.Prepare(photo);
                if (save is not null && i < 6)
                {
                    Directory.CreateDirectory(save);
                    using (var decoded = Image.Load<Rgb24>(photo)) decoded.SaveAsPng(Path.Combine(save, $"{kind}-{i}-photo.png"));
                    using var strip = new Image<L8>(28 * 3 * 4, 28 * 4);
                    foreach (var (pixels, at) in new[] { (test.Image(i).ToArray(), 0), (service[i], 1), (plain[i], 2) })
                    {
                        using var one = Image.LoadPixelData<L8>(pixels, 28, 28);
                        one.Mutate(x => x.Resize(112, 112, KnownResamplers.NearestNeighbor));
                        strip.Mutate(x => x.DrawImage(one, new Point(112 * at, 0), 1f));
                    }
                    strip.SaveAsPng(Path.Combine(save, $"{kind}-{i}-raw-service-plain.png"));
                }
            });
            double s = Accuracy(service), p = Accuracy(plain);
            Console.Error.WriteLine($"{kind}: generating {generateTicks * 1000.0 / Stopwatch.Frequency / count:F2} ms, service {serviceTicks * 1000.0 / Stopwatch.Frequency / count:F2} ms per photo");
            Console.WriteLine($"| {kind} | {raw:F3} | {s:F3} | {p:F3} | {warned} |");
            string key = CamelCaseEnumConverter.Name(kind);
            lines.Add($"photos_{key}_service={s:F3}");
            lines.Add($"photos_{key}_plain={p:F3}");
        }

        double ms = PrepareMilliseconds(preprocessor, test);
        Console.WriteLine($"preparing a 1-megapixel JPEG: {ms:F2} ms (median)");
        lines.Add($"photos_prepare_1mp_jpeg_ms={ms:F2}");
        if (measurementsPath is not null) File.AppendAllLines(measurementsPath, lines);
    }

    /// <summary>The median time of <see cref="ImagePreprocessor.Prepare"/> (decode and pipeline) for a 1155×866 JPEG
    /// product photo, on this thread.</summary>
    static double PrepareMilliseconds(ImagePreprocessor preprocessor, FashionMnistSplit test)
    {
        using var photo = ProductPhotos.Render(PhotoKind.OffWhiteUnevenLight, 0, test.Image(0), out _, out _);
        photo.Mutate(x => x.Resize(1155, 866));
        using var stream = new MemoryStream();
        photo.SaveAsJpeg(stream, new JpegEncoder { Quality = 85 });
        byte[] jpeg = stream.ToArray();
        for (int i = 0; i < 20; i++) preprocessor.Prepare(jpeg, InvertMode.Auto, CancellationToken.None); // warm-up
        var times = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            long started = Stopwatch.GetTimestamp();
            preprocessor.Prepare(jpeg, InvertMode.Auto, CancellationToken.None);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        times.Sort();
        var decode = new List<double>();
        for (int i = 0; i < 100; i++)
        {
            long started = Stopwatch.GetTimestamp();
            using var decoded = Image.Load<L8>(AcceptedImageFormats.Decoding, jpeg);
            decode.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        decode.Sort();
        Console.WriteLine($"decoding alone: {decode[50]:F2} ms");
        return times[times.Count / 2];
    }

    /// <summary>The service's own preprocessor, with the service's default limits.</summary>
    static ImagePreprocessor CreatePreprocessor()
    {
        var services = new ServiceCollection();
        services.AddLogging().AddMetrics();
        services.AddSingleton(Options.Create(new FashionApi.Hosting.FashionApiOptions()));
        services.AddSingleton<FashionApi.Training.TrainingJobQueue>();
        services.AddSingleton<FashionApi.Hosting.FashionApiMetrics>();
        services.AddSingleton<ImagePreprocessor>();
        return services.BuildServiceProvider().GetRequiredService<ImagePreprocessor>();
    }
}
