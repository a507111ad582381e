using FashionApi.Storage;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FashionApi.Tests.Infrastructure;

public static class TestStores
{
    public static ModelStore Create(string modelDirectory, int keepVersions = 5, ILogger<ModelStore>? logger = null) =>
        new(Options.Create(new FashionApiOptions { ModelDirectory = modelDirectory, KeepVersions = keepVersions }),
            new TestHostEnvironment(modelDirectory), logger ?? NullLogger<ModelStore>.Instance);

    public sealed class TestHostEnvironment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "FashionApi";
        public string ContentRootPath { get; set; } = contentRoot;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
