using System.Net;
using FashionApi.Tests.Infrastructure;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Hosting;

/// <summary>Per-client limits behind a proxy: X-Forwarded-For counts only from a configured proxy, and IPv6 clients
/// are grouped by /64. Over real Kestrel, so the connection's address is a real one (127.0.0.1).</summary>
public class ClientIdentityTests
{
    /// <summary>Two management requests a minute per client; requests without the key still count (the limit comes
    /// first), so each answer is a 401 until the client is over its limit, then a 429.</summary>
    static async Task<HttpStatusCode> ActivateAs(HttpClient client, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/models/any/activate") { Content = JsonBody(new { }) };
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await client.SendAsync(request)).StatusCode;
    }

    static async Task<HttpClient> StartAsync(FashionApiFactory factory)
    {
        var client = await factory.CreateReadyClientAsync(factory.StartKestrel());
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        return client;
    }

    [Fact]
    public async Task Forwarded_addresses_from_a_trusted_proxy_are_separate_clients_and_ipv6_ones_share_their_64()
    {
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:ManagementRequestsPerMinute"] = "2", ["FashionApi:TrustedProxies:0"] = "127.0.0.0/8" });
        var client = await StartAsync(factory);

        Assert.Equal(HttpStatusCode.Unauthorized, await ActivateAs(client, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ActivateAs(client, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await ActivateAs(client, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ActivateAs(client, "203.0.113.2"));

        Assert.Equal(HttpStatusCode.Unauthorized, await ActivateAs(client, "2001:db8:1:2::1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ActivateAs(client, "2001:db8:1:2:ffff:ffff:ffff:fffe"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await ActivateAs(client, "2001:db8:1:2::77"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ActivateAs(client, "2001:db8:1:3::1"));
    }

    [Fact]
    public async Task Without_trusted_proxies_forwarded_headers_are_ignored_so_a_client_cannot_choose_its_identity()
    {
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:ManagementRequestsPerMinute"] = "2" });
        var client = await StartAsync(factory);
        Assert.Equal(HttpStatusCode.Unauthorized, await ActivateAs(client, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ActivateAs(client, "203.0.113.2"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await ActivateAs(client, "203.0.113.3"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await ActivateAs(client, null));
    }

    [Fact]
    public void A_trusted_proxy_that_is_not_an_address_stops_start_up()
    {
        using var factory = new FashionApiFactory(seedModel: false, new() { ["FashionApi:TrustedProxies:0"] = "the-ingress" });
        var failure = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains("TrustedProxies", failure.Message);
    }
}
