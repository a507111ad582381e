using System.Net;
using System.Text;
using FashionApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Hosting;

/// <summary>What a web page on another site can make a visitor's browser send, tried in Development with no key (the
/// case where nothing else stands in the way): every request that needs no CORS preflight is refused before it runs.</summary>
public class CrossSiteTests : IDisposable
{
    readonly FashionApiFactory factory = new(seedModel: true, new() { ["FashionApi:ApiKey"] = null, ["FashionApi:AllowedOrigins:0"] = "https://ops.example.com" });
    readonly WebApplicationFactory<Program> development;

    public CrossSiteTests() => development = factory.WithWebHostBuilder(builder => builder.UseEnvironment("Development"));

    HttpClient Client() => development.CreateClient();

    public static TheoryData<string, string?> SimpleRequestBodies => new()
    {
        { "application/x-www-form-urlencoded", "preset=seed" },
        { "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"preset\"\r\n\r\nseed\r\n--x--\r\n" },
        { "text/plain", "{\"preset\":\"seed\"}" },
        { "", null },
    };

    [Theory]
    [MemberData(nameof(SimpleRequestBodies))]
    public async Task A_form_a_text_plain_body_or_no_body_cannot_start_training_or_activate(string contentType, string? body)
    {
        var client = Client();
        foreach (string path in new[] { "/train", $"/models/{factory.SeedVersion}/activate" })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path);
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType.Split(';')[0]);
            if (contentType.Contains("boundary")) request.Content!.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
            await (await client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "application/json");
        }
        Assert.Empty((await (await client.GetAsync("/train")).AssertOkJsonAsync()).EnumerateArray());
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://localhost.evil.example")]
    [InlineData("null")]
    public async Task A_request_from_another_origin_is_refused_even_as_json(string origin)
    {
        var client = Client();
        var train = new HttpRequestMessage(HttpMethod.Post, "/train") { Content = JsonBody(new { preset = "seed" }) };
        train.Headers.Add("Origin", origin);
        await (await client.SendAsync(train)).AssertProblemAsync(HttpStatusCode.Forbidden, origin);
        var cancel = new HttpRequestMessage(HttpMethod.Delete, "/train/anything");
        cancel.Headers.Add("Origin", origin);
        await (await client.SendAsync(cancel)).AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Empty((await (await client.GetAsync("/train")).AssertOkJsonAsync()).EnumerateArray());
    }

    [Theory]
    [InlineData("http://localhost")]
    [InlineData("https://ops.example.com")]
    public async Task The_services_own_origin_and_configured_ones_may_activate(string origin)
    {
        var activate = new HttpRequestMessage(HttpMethod.Post, $"/models/{factory.SeedVersion}/activate") { Content = JsonBody(new { }) };
        activate.Headers.Add("Origin", origin);
        await (await Client().SendAsync(activate)).AssertOkJsonAsync();
    }

    [Fact]
    public async Task With_allowed_hosts_set_another_host_name_is_refused()
    {
        using var pinned = new FashionApiFactory(seedModel: true, new() { ["AllowedHosts"] = "models.example.com" });
        var client = pinned.CreateClient();
        var rebound = new HttpRequestMessage(HttpMethod.Get, "/model");
        rebound.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(rebound)).StatusCode);
        var named = new HttpRequestMessage(HttpMethod.Get, "/model");
        named.Headers.Host = "models.example.com";
        await (await client.SendAsync(named)).AssertOkJsonAsync();
    }

    public void Dispose()
    {
        development.Dispose();
        factory.Dispose();
    }
}
