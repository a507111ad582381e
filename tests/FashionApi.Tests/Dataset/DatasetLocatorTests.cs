using FashionApi.Dataset;
using FashionApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FashionApi.Tests.Dataset;

public class DatasetLocatorTests : IDisposable
{
    readonly TempDirectory root = new();
    string Configured => Path.Combine(root.Path, "configured");
    string Cache => Path.Combine(root.Path, "cache");
    string Distribution => Path.Combine(root.Path, "distribution");

    public void Dispose() => root.Dispose();

    DatasetLocator Locator(string? configured, string downloadUrl = "http://127.0.0.1:9/") =>
        new(Options.Create(new DatasetOptions { DataDirectory = configured, DatasetCacheDirectory = Cache, DatasetDownloadUrl = downloadUrl }),
            new TestStores.TestHostEnvironment(root.Path), new PlainHttpClientFactory(), NullLogger<DatasetLocator>.Instance)
        {
            DistributionDirectory = Distribution,
        };

    static void CopyDataset(string target)
    {
        Directory.CreateDirectory(target);
        foreach (string name in FashionMnist.FileNames)
            File.Copy(Path.Combine(DatasetLocator.PackageDirectory, name), Path.Combine(target, name));
    }

    [Fact]
    public async Task The_configured_directory_comes_first_then_the_cache_then_the_distribution()
    {
        CopyDataset(Configured);
        CopyDataset(Cache);
        CopyDataset(Distribution);
        Assert.Equal(Configured, await Locator(Configured).LocateAsync(default));
        Assert.Equal(Cache, await Locator(null).LocateAsync(default));

        Directory.Delete(Cache, recursive: true);
        Assert.Equal(Distribution, await Locator(null).LocateAsync(default));
    }

    [Fact]
    public async Task A_directory_missing_one_file_is_passed_over()
    {
        CopyDataset(Configured);
        File.Delete(Path.Combine(Configured, "t10k-labels-idx1-ubyte.gz"));
        CopyDataset(Distribution);
        Assert.Equal(Distribution, await Locator(Configured).LocateAsync(default));
    }

    [Fact]
    public async Task Without_a_local_copy_the_files_are_downloaded_and_verified()
    {
        await using var server = await FileServer.StartAsync(DatasetLocator.PackageDirectory);
        string found = await Locator(null, server.Url).LocateAsync(default);

        Assert.Equal(Cache, found);
        var data = FashionMnist.Load(found);
        Assert.Equal(60_000, data.Train.Count);
        Assert.Equal(TestData.FashionMnist.ContentSha256, data.ContentSha256);
        Assert.Empty(Directory.GetFiles(Cache, "*.part"));
    }

    [Fact]
    public async Task A_download_that_fails_its_checksum_is_refused_and_the_message_says_how_to_provide_the_files()
    {
        string served = Path.Combine(root.Path, "served");
        CopyDataset(served);
        // A valid gzip file with the wrong content, as a bad mirror might serve.
        File.Copy(Path.Combine(served, "t10k-labels-idx1-ubyte.gz"), Path.Combine(served, "train-labels-idx1-ubyte.gz"), overwrite: true);
        await using var server = await FileServer.StartAsync(served);

        var e = await Assert.ThrowsAsync<DatasetUnavailableException>(() => Locator(Configured, server.Url).LocateAsync(default));
        Assert.Contains("train-labels-idx1-ubyte.gz does not match its published checksum", e.Message);
        Assert.Contains(Configured, e.Message);
        Assert.Contains(Cache, e.Message);
        Assert.Contains(Distribution, e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.False(File.Exists(Path.Combine(Cache, "train-labels-idx1-ubyte.gz")));
    }

    [Fact]
    public async Task An_unreachable_download_host_gives_the_same_helpful_message()
    {
        var e = await Assert.ThrowsAsync<DatasetUnavailableException>(() => Locator(null).LocateAsync(default));
        Assert.Contains("downloading it from http://127.0.0.1:9/ failed", e.Message);
        Assert.Contains("FashionApi:DataDirectory", e.Message);
    }

    [Fact]
    public async Task Looking_for_a_local_copy_never_downloads_even_when_a_download_host_answers()
    {
        await using var server = await FileServer.StartAsync(DatasetLocator.PackageDirectory);
        var locator = Locator(null, server.Url);

        Assert.Null(locator.FindLocalCopy());
        Assert.False(Directory.Exists(Cache) && Directory.EnumerateFiles(Cache).Any(), "nothing may be downloaded");
        var e = locator.NotFound(".");
        Assert.Contains(Cache, e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);

        CopyDataset(Distribution);
        Assert.Equal(Distribution, locator.FindLocalCopy());
    }

    sealed class PlainHttpClientFactory : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new() { Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A real HTTP server on loopback serving the files of one directory.</summary>
    sealed class FileServer(WebApplication app) : IAsyncDisposable
    {
        public string Url => app.Urls.First() + "/";

        public static async Task<FileServer> StartAsync(string directory)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapGet("/{name}", (string name) =>
            {
                string path = Path.Combine(directory, Path.GetFileName(name));
                return File.Exists(path) ? Results.File(path, "application/gzip") : Results.NotFound();
            });
            await app.StartAsync();
            return new FileServer(app);
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
