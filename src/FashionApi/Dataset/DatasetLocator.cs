using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace FashionApi.Dataset;

/// <summary>
/// Finds the Fashion-MNIST files: the configured directory, then the cache directory (<c>data/fashion-mnist</c>), then
/// the Debian/Ubuntu package's copy; failing those it downloads them into <c>data/fashion-mnist</c> and verifies them.
/// </summary>
public sealed class DatasetLocator(
    IOptions<DatasetOptions> options,
    IHostEnvironment environment,
    IHttpClientFactory httpClients,
    ILogger<DatasetLocator> logger)
{
    /// <summary>Where the Debian/Ubuntu package <c>dataset-fashion-mnist</c> installs the files.</summary>
    public const string PackageDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The system-wide place looked at third (settable so tests can point it elsewhere).</summary>
    internal string DistributionDirectory { get; init; } = PackageDirectory;

    // SHA-256 of each file's decompressed content: independent of how a mirror or distribution gzipped it.
    static readonly Dictionary<string, string> ContentSha256 = new()
    {
        ["train-images-idx3-ubyte.gz"] = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ["train-labels-idx1-ubyte.gz"] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ["t10k-images-idx3-ubyte.gz"] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ["t10k-labels-idx1-ubyte.gz"] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    };

    /// <summary>The directory downloads go to, and the second place looked at.</summary>
    public string CacheDirectory => Path.GetFullPath(options.Value.DatasetCacheDirectory, environment.ContentRootPath);

    /// <summary>The places looked at, in order.</summary>
    public IReadOnlyList<string> SearchPath =>
        new[] { ConfiguredDirectory, CacheDirectory, DistributionDirectory }.OfType<string>().ToList();

    string? ConfiguredDirectory => string.IsNullOrWhiteSpace(options.Value.DataDirectory)
        ? null
        : Path.GetFullPath(options.Value.DataDirectory, environment.ContentRootPath);

    /// <summary>Returns a directory holding all four files, downloading them if no local copy exists.</summary>
    public async Task<string> LocateAsync(CancellationToken cancellationToken)
    {
        if (FindLocalCopy() is { } local) return local;
        try
        {
            await DownloadAsync(CacheDirectory, cancellationToken);
            return CacheDirectory;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or TaskCanceledException
                                  && !cancellationToken.IsCancellationRequested)
        {
            throw NotFound($" and downloading it from {options.Value.DatasetDownloadUrl} failed: {e.Message}", e);
        }
    }

    /// <summary>The first directory of the search path holding all four files, or null: never downloads. For uses
    /// that a request triggers (browsing the test set), which must not start a download from the internet.</summary>
    public string? FindLocalCopy()
    {
        foreach (string directory in SearchPath)
        {
            if (FashionMnist.FileNames.All(name => File.Exists(Path.Combine(directory, name))))
            {
                logger.LogInformation("Fashion-MNIST found in {Directory}", directory);
                return directory;
            }
            logger.LogDebug("Fashion-MNIST not in {Directory}", directory);
        }
        return null;
    }

    /// <summary>The error for a dataset that is not here, saying how to provide it; <paramref name="failure"/> says
    /// why downloading it did not help, when it was tried.</summary>
    public DatasetUnavailableException NotFound(string? failure = null, Exception? inner = null) => new(
        $"Fashion-MNIST was not found in {string.Join(", ", SearchPath)}{failure} To provide it: install the Debian/Ubuntu " +
        $"package 'dataset-fashion-mnist' (apt-get install dataset-fashion-mnist), or copy the four files " +
        $"({string.Join(", ", FashionMnist.FileNames)}) into {CacheDirectory}, or set FashionApi:DataDirectory to " +
        "a directory holding them.", inner);

    async Task DownloadAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var client = httpClients.CreateClient(nameof(DatasetLocator));
        var baseUri = new Uri(options.Value.DatasetDownloadUrl.TrimEnd('/') + "/");
        foreach (string name in FashionMnist.FileNames)
        {
            string target = Path.Combine(directory, name);
            if (File.Exists(target) && HasExpectedContent(target, name))
                continue;

            var source = new Uri(baseUri, name);
            logger.LogInformation("Downloading {Source} to {Target}", source, target);
            string partial = target + ".part";
            using (var response = await client.GetAsync(source, HttpCompletionOption.ResponseHeadersRead, cancellationToken))
            {
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                await using var file = File.Create(partial);
                await body.CopyToAsync(file, cancellationToken);
                logger.LogInformation("Downloaded {Name}: {Bytes:N0} bytes", name, file.Length);
            }
            if (!HasExpectedContent(partial, name))
            {
                File.Delete(partial);
                throw new InvalidDataException($"the downloaded {name} does not match its published checksum.");
            }
            File.Move(partial, target, overwrite: true);
        }
        logger.LogInformation("Fashion-MNIST downloaded and verified in {Directory}", directory);
    }

    static bool HasExpectedContent(string path, string name)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var content = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress);
            string actual = Convert.ToHexStringLower(SHA256.HashData(content));
            return actual == ContentSha256[name];
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }
}

/// <summary>The dataset is nowhere to be found (and, where a download was tried, could not be downloaded); the message says how to provide it.</summary>
public sealed class DatasetUnavailableException(string message, Exception? inner) : Exception(message, inner);
