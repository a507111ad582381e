using FashionApi.Hosting;
using FashionApi.Models;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FashionApi.Tests.Infrastructure;

public static class TestStores
{
    public static ModelStore Create(string modelDirectory, int keepVersions = 5, ILogger<ModelStore>? logger = null,
        TimeSpan? pruneGracePeriod = null, TimeSpan? lockTimeout = null, InstanceRole role = InstanceRole.All) =>
        new(Microsoft.Extensions.Options.Options.Create(Options(modelDirectory, keepVersions, pruneGracePeriod, lockTimeout, role)),
            new TestHostEnvironment(modelDirectory), logger ?? NullLogger<ModelStore>.Instance);

    public static FashionApiOptions Options(string modelDirectory, int keepVersions = 5, TimeSpan? pruneGracePeriod = null,
        TimeSpan? lockTimeout = null, InstanceRole role = InstanceRole.All)
    {
        var options = new FashionApiOptions { ModelDirectory = modelDirectory, KeepVersions = keepVersions, Role = role };
        if (pruneGracePeriod is { } grace) options.PruneGracePeriod = grace;
        if (lockTimeout is { } timeout) options.StoreLockTimeout = timeout;
        return options;
    }

    public sealed class TestHostEnvironment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "FashionApi";
        public string ContentRootPath { get; set; } = contentRoot;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
