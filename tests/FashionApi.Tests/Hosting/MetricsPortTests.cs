using System.Net;
using System.Net.Sockets;
using FashionApi.Tests.Infrastructure;

namespace FashionApi.Tests.Hosting;

public class MetricsPortTests
{
    [Fact]
    public async Task With_a_metrics_port_the_metrics_are_answered_there_only_so_the_public_port_never_serves_them()
    {
        int metricsPort = FreePort();
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:MetricsPort"] = metricsPort.ToString() });
        var client = await factory.CreateReadyClientAsync(factory.StartKestrel(metricsPort));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/metrics")).StatusCode);

        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        var scrape = await scraper.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("fashionapi_", await scrape.Content.ReadAsStringAsync());
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
