using FashionApi.Dataset;
using FashionApi.Models;
using FashionApi.Softmax;

namespace FashionApi.Tests.Infrastructure;

/// <summary>The real Fashion-MNIST (from the Debian package, as .ci/run installs it) and one model trained on it with
/// the tutorial preset, each made once per test run and shared.</summary>
public static class TestData
{
    static readonly Lazy<FashionMnist> Dataset = new(() => FashionMnist.Load(DatasetLocator.PackageDirectory));
    static readonly Lazy<TrainingData> Tensors = new(() => new TrainingData(FashionMnist));
    static readonly Lazy<TrainingResult> SeedModelResult = new(() => SoftmaxTrainer.Train(TrainingData, TrainingPresets.Seed));

    public static FashionMnist FashionMnist => Dataset.Value;

    /// <summary>The dataset as tensors for <see cref="SoftmaxTrainer"/>, shared like the service shares them.</summary>
    public static TrainingData TrainingData => Tensors.Value;

    /// <summary>A model trained with the <c>seed</c> preset (a fraction of a second).</summary>
    public static TrainingResult SeedModel => SeedModelResult.Value;

    /// <summary>A model trained with the <c>default</c> preset, the one the service trains when nothing is said (a
    /// second or two): for tests about what shoppers get, such as the accuracy on product photos.</summary>
    public static TrainingResult DefaultModel => DefaultModelResult.Value;

    static readonly Lazy<TrainingResult> DefaultModelResult = new(() => SoftmaxTrainer.Train(TrainingData, TrainingPresets.Default));

    /// <summary>Saves the shared seed model as a version in <paramref name="modelDirectory"/> and marks it active.</summary>
    public static ModelManifest SaveSeedModel(string modelDirectory)
    {
        var store = TestStores.Create(modelDirectory);
        var manifest = store.Save(SeedModel, FashionMnist.ContentSha256, jobId: null);
        store.MarkActive(manifest.Version);
        return manifest;
    }

    /// <summary>Encodes 8-bit grayscale pixels as a PNG, as a client would upload it.</summary>
    public static byte[] Png(ReadOnlySpan<byte> pixels, int width = FashionApi.Dataset.FashionMnist.ImageSide, int height = FashionApi.Dataset.FashionMnist.ImageSide)
    {
        using var image = SixLabors.ImageSharp.Image.LoadPixelData<SixLabors.ImageSharp.PixelFormats.L8>(pixels, width, height);
        using var stream = new MemoryStream();
        SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, stream);
        return stream.ToArray();
    }
}

/// <summary>A temporary directory deleted at dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("fashionapi-test-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
