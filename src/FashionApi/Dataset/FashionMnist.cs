namespace FashionApi.Dataset;

/// <summary>One split of Fashion-MNIST kept compact: one byte per pixel, row-major, images back to back.</summary>
public sealed record FashionMnistSplit(byte[] Pixels, byte[] Labels)
{
    public int Count => Labels.Length;

    public ReadOnlySpan<byte> Image(int index) =>
        Pixels.AsSpan(index * FashionMnist.PixelCount, FashionMnist.PixelCount);
}

/// <summary>The Fashion-MNIST dataset (60,000 training and 10,000 test images) and the facts every layer shares.</summary>
public sealed record FashionMnist(FashionMnistSplit Train, FashionMnistSplit Test, string Source)
{
    /// <summary>SHA-256 over the decoded pixels and labels of both splits: names the exact data a model saw.</summary>
    public string ContentSha256 { get; } = Hash(Train, Test);

    public const int ImageSide = 28;
    public const int PixelCount = ImageSide * ImageSide;
    public const int ClassCount = 10;

    public static readonly IReadOnlyList<string> ClassNames =
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ];

    /// <summary>The four files, in the names the dataset is published under.</summary>
    public static readonly IReadOnlyList<string> FileNames =
    [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    ];

    /// <summary>Loads and validates the four files in <paramref name="directory"/>.</summary>
    public static FashionMnist Load(string directory)
    {
        var train = LoadSplit(directory, "train");
        var test = LoadSplit(directory, "t10k");
        return new FashionMnist(train, test, directory);
    }

    static string Hash(params FashionMnistSplit[] splits)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var split in splits)
        {
            hash.AppendData(split.Pixels);
            hash.AppendData(split.Labels);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Loads only the 10,000 test images and labels, for code that shows them rather than trains.</summary>
    public static FashionMnistSplit LoadTest(string directory) => LoadSplit(directory, "t10k");

    static FashionMnistSplit LoadSplit(string directory, string prefix)
    {
        string imagesPath = Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz");
        string labelsPath = Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz");
        byte[] pixels = IdxReader.ReadImages(imagesPath);
        byte[] labels = IdxReader.ReadLabels(labelsPath);
        if (pixels.Length / PixelCount != labels.Length)
            throw new InvalidDataException(
                $"'{imagesPath}' holds {pixels.Length / PixelCount} images but '{labelsPath}' holds {labels.Length} labels; they must agree.");
        return new FashionMnistSplit(pixels, labels);
    }
}
