using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;

namespace FashionApi.Tests.Infrastructure;

/// <summary>
/// The real service on a real (in-memory transport) HTTP server. It swaps only what tests must: its model directory is
/// a fresh temporary one, it does not train on start-up unless asked, it has a known API key (<see cref="ApiKey"/>,
/// which the clients it makes send; tests of refusals remove it), and settings can be overridden per test.
/// </summary>
public sealed class FashionApiFactory : WebApplicationFactory<Program>
{
    readonly TempDirectory root = new();
    readonly Dictionary<string, string?> settings;

    public FashionApiFactory() : this(seedModel: true) { }

    internal FashionApiFactory(bool seedModel, Dictionary<string, string?>? overrides = null)
    {
        ModelDirectory = System.IO.Path.Combine(root.Path, "models");
        settings = new()
        {
            ["FashionApi:ModelDirectory"] = ModelDirectory,
            ["FashionApi:DatasetCacheDirectory"] = System.IO.Path.Combine(root.Path, "fashion-mnist"),
            ["FashionApi:TrainOnStartup"] = "false",
            ["FashionApi:ApiKey"] = ApiKey,
        };
        foreach (var (key, value) in overrides ?? []) settings[key] = value;
        if (seedModel) SeedVersion = TestData.SaveSeedModel(ModelDirectory).Version;
    }

    /// <summary>The key the service is configured with unless a test overrides <c>FashionApi:ApiKey</c>.</summary>
    public const string ApiKey = "test-api-key-0123456789";

    public string ModelDirectory { get; }

    /// <summary>The key the service requires: the configured one, or the one it generated in the model directory.</summary>
    public string? ServiceApiKey => settings.GetValueOrDefault("FashionApi:ApiKey") is { Length: > 0 } configured ? configured
        : File.Exists(System.IO.Path.Combine(ModelDirectory, "api-key")) ? File.ReadAllText(System.IO.Path.Combine(ModelDirectory, "api-key")).Trim() : null;

    /// <summary>The version saved before start-up, when the factory was asked to seed one.</summary>
    public string? SeedVersion { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings));
        // Also as host settings, which Program sees before it registers services (the Role decides what is registered).
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }

    /// <summary>Clients made by the factory send the service's API key, as an operator's scripts would.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        if (ServiceApiKey is { } key) client.DefaultRequestHeaders.Add("X-Api-Key", key);
    }

    /// <summary>Serves over real Kestrel on a free loopback port instead of the in-memory transport, for tests of what
    /// only a real HTTP server does (chunked framing, its body size limits); returns the address.</summary>
    /// <param name="alsoListenOn">Further loopback ports to listen on (say, a metrics port).</param>
    public Uri StartKestrel(params int[] alsoListenOn)
    {
        // An explicit loopback endpoint on port 0 (UseKestrel(0) instead rewrites the server's address list, which
        // once failed in the full suite with "cannot be modified after the server has started").
        UseKestrel(kestrel =>
        {
            kestrel.Listen(System.Net.IPAddress.Loopback, 0);
            foreach (int port in alsoListenOn) kestrel.Listen(System.Net.IPAddress.Loopback, port);
        });
        StartServer();
        string address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => !alsoListenOn.Any(port => a.EndsWith($":{port}")));
        return new Uri(address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
    }

    /// <summary>Serves over real Kestrel on the endpoints the configuration's <c>Kestrel:Endpoints</c> section names, as
    /// an operator configures them; returns the addresses it listens on.</summary>
    public IReadOnlyList<string> StartKestrelFromConfiguration()
    {
        UseKestrel();
        StartServer();
        return Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until the background worker has loaded a model (or times out).</summary>
    public async Task<HttpClient> CreateReadyClientAsync(Uri? kestrel = null)
    {
        // Latin-1 headers, so tests can send the bytes a hostile client would (HttpClient refuses non-ASCII by default).
        var client = kestrel is null ? CreateClient()
            : new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.Latin1 }) { BaseAddress = kestrel };
        if (kestrel is not null && ServiceApiKey is { } key) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(50))
            if ((await client.GetAsync("/health/ready")).IsSuccessStatusCode) return client;
        throw new TimeoutException("The service did not become ready within 30 s.");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) root.Dispose();
    }
}
