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
/// The "photos" mode: accuracy of a <c>default</c>-preset model on the test set's first images as product photos of
/// every kind the test suite makes (tests/…/Predictions/ProductPhotos.cs), through the service's preprocessing and
/// through the plain pipeline it is compared with, next to the accuracy on the same images as the dataset's own 28×28
/// pixels. The alternative to deskewing, training on tilted images, is measured beside it: the same preset trained on
/// the training set plus a copy of it turned by up to ±10°, on the same preprocessed photos, and its clean test
/// accuracy. Last, the time to prepare a 1-megapixel JPEG on one core.
/// With SAVE_DIR, the first photos of each kind are saved as PNGs with the raw, service and plain 28×28 images.
/// </summary>
public static class PhotoAccuracy
{
    public static void Run(FashionMnist data, int count, string? measurementsPath, string? saveDirectory)
    {
        var test = data.Test;
        SoftmaxClassifier model, augmented;
        using (var tensors = new TrainingData(data))
            model = new SoftmaxClassifier(SoftmaxTrainer.Train(tensors, TrainingPresets.Default).Weights);
        using (var tensors = new TrainingData(data with { Train = WithTiltedCopies(data.Train) }))
            augmented = new SoftmaxClassifier(SoftmaxTrainer.Train(tensors, TrainingPresets.Default).Weights);
        var preprocessor = CreatePreprocessor();
        var lines = new List<string>();

        double Accuracy(SoftmaxClassifier classifier, byte[][] images)
        {
            var probabilities = classifier.Probabilities(SoftmaxClassifier.ScalePixels(images.SelectMany(i => i).ToArray()));
            int correct = Enumerable.Range(0, images.Length).Count(i => SoftmaxClassifier.ArgMax(probabilities.AsSpan(i * 10, 10)) == test.Labels[i]);
            return correct / (double)images.Length;
        }

        var everyTestImage = Enumerable.Range(0, test.Count).Select(i => test.Image(i).ToArray()).ToArray();
        var rawImages = everyTestImage[..count];
        double raw = Accuracy(model, rawImages), rawAugmented = Accuracy(augmented, rawImages);
        Console.WriteLine($"Clean test accuracy (10,000 images): {Accuracy(model, everyTestImage):F4}; trained with tilted copies: {Accuracy(augmented, everyTestImage):F4}");
        Console.WriteLine();
        Console.WriteLine($"| photo kind ({count} test images each) | raw 28×28 | service | plain pipeline | photos with warnings | model trained with tilts: raw / service |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        lines.Add($"photos_count={count}");
        lines.Add($"photos_raw={raw:F3}");
        lines.Add($"photos_clean_test_accuracy={Accuracy(model, everyTestImage):F4}");
        lines.Add($"photos_clean_test_accuracy_tilt_trained={Accuracy(augmented, everyTestImage):F4}");
        foreach (var kind in Enum.GetValues<PhotoKind>())
        {
            var service = new byte[count][];
            var plain = new byte[count][];
            int warned = 0;
            Parallel.For(0, count, i =>
            {
                var photo = ProductPhotos.Make(kind, i, test.Image(i));
                var prepared = preprocessor.Prepare(photo, InvertMode.Auto, CancellationToken.None);
                service[i] = prepared.Pixels;
                if (prepared.Preprocessing.Warnings.Count > 0) Interlocked.Increment(ref warned);
                plain[i] = PlainPipeline.Prepare(photo);
                if (saveDirectory is not null && i < 4) Save(saveDirectory, kind, i, photo, [test.Image(i).ToArray(), service[i], plain[i]]);
            });
            double s = Accuracy(model, service), p = Accuracy(model, plain), a = Accuracy(augmented, service);
            Console.WriteLine($"| {kind} | {raw:F3} | {s:F3} | {p:F3} | {warned} | {rawAugmented:F3} / {a:F3} |");
            string key = CamelCaseEnumConverter.Name(kind);
            lines.Add($"photos_{key}_service={s:F3}");
            lines.Add($"photos_{key}_plain={p:F3}");
            lines.Add($"photos_{key}_tilt_trained={a:F3}");
        }

        double ms = PrepareMilliseconds(preprocessor, test);
        Console.WriteLine();
        Console.WriteLine($"Preparing a 1-megapixel JPEG (decode + pipeline), one thread: {ms:F2} ms (median of 200)");
        lines.Add($"photos_prepare_1mp_jpeg_ms={ms:F2}");
        if (measurementsPath is not null) File.AppendAllLines(measurementsPath, lines);
    }

    /// <summary>The training split followed by a copy of it, each image turned by a random angle of up to ±10°.</summary>
    static FashionMnistSplit WithTiltedCopies(FashionMnistSplit train)
    {
        var pixels = new byte[train.Pixels.Length * 2];
        train.Pixels.CopyTo(pixels, 0);
        Parallel.For(0, train.Count, i =>
        {
            float degrees = new Random(i).NextSingle() * 20 - 10;
            using var image = Image.LoadPixelData<L8>(train.Image(i), 28, 28);
            image.Mutate(x => x.Rotate(degrees, KnownResamplers.Bicubic)); // the canvas grows: keep its middle 28×28
            image.Mutate(x => x.Crop(new Rectangle((image.Width - 28) / 2, (image.Height - 28) / 2, 28, 28)));
            image.CopyPixelDataTo(pixels.AsSpan(train.Pixels.Length + i * FashionMnist.PixelCount, FashionMnist.PixelCount));
        });
        return new FashionMnistSplit(pixels, [.. train.Labels, .. train.Labels]);
    }

    static void Save(string directory, PhotoKind kind, int index, byte[] photo, byte[][] inputs)
    {
        Directory.CreateDirectory(directory);
        using (var decoded = Image.Load<Rgb24>(photo)) decoded.SaveAsPng(Path.Combine(directory, $"{kind}-{index}-photo.png"));
        using var strip = new Image<L8>(112 * inputs.Length, 112);
        for (int i = 0; i < inputs.Length; i++)
        {
            using var one = Image.LoadPixelData<L8>(inputs[i], 28, 28);
            one.Mutate(x => x.Resize(112, 112, KnownResamplers.NearestNeighbor));
            strip.Mutate(x => x.DrawImage(one, new Point(112 * i, 0), 1f));
        }
        strip.SaveAsPng(Path.Combine(directory, $"{kind}-{index}-raw-service-plain.png"));
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
