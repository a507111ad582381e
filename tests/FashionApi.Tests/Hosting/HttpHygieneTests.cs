using System.Net;
using FashionApi.Tests.Infrastructure;

namespace FashionApi.Tests.Hosting;

public class HttpHygieneTests
{
    [Fact]
    public async Task Every_answer_forbids_sniffing_framing_and_referrers_the_page_has_a_strict_policy_and_no_server_header_is_sent()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync(factory.StartKestrel());
        foreach (string path in new[] { "/", "/app.js", "/model", "/no-such-route", "/swagger/index.html" })
        {
            var response = await client.GetAsync(path);
            Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
            Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
            Assert.Equal("DENY", Header(response, "X-Frame-Options"));
            Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
            Assert.False(response.Headers.Contains("Server"), $"{path} names the server: {response.Headers.Server}");
        }
        string page = Header(await client.GetAsync("/"), "Content-Security-Policy");
        Assert.Contains("default-src 'none'", page);
        Assert.Contains("script-src 'self';", page);
        Assert.DoesNotContain("unsafe", page);
    }

    [Fact]
    public async Task Swagger_is_served_by_default_and_one_setting_switches_it_off()
    {
        using (var factory = new FashionApiFactory())
        {
            var client = factory.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger/index.html")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger/v1/swagger.json")).StatusCode);
        }
        using (var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:SwaggerEnabled"] = "false" }))
        {
            var client = factory.CreateClient();
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/swagger/index.html")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/swagger/v1/swagger.json")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/model")).StatusCode);
        }
    }

    static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values) : "";
}
