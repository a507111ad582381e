using System.Net;
using System.Net.Http.Headers;
using FashionApi.Tests.Infrastructure;

namespace FashionApi.Tests.Page;

/// <summary>The page's files: served at the root, compressed, with caching headers, and small.</summary>
public class WebPageTests(FashionApiFactory factory) : IClassFixture<FashionApiFactory>
{
    static readonly string[] Assets = ["/", "/app.js", "/style.css"];

    [Fact]
    public async Task The_page_and_its_assets_are_compressed_revalidated_and_under_300_KB_in_all()
    {
        var client = factory.CreateClient();
        var html = await client.GetStringAsync("/");
        var references = System.Text.RegularExpressions.Regex.Matches(html, "(?:src|href)=\"(/?[^\"#:]+)\"")
            .Select(m => "/" + m.Groups[1].Value.TrimStart('/')).Where(p => !p.StartsWith("/swagger")).ToList();
        var views = System.Text.RegularExpressions.Regex.Matches(await client.GetStringAsync("/app.js"), "from \"\\./([^\"]+)\"")
            .Select(m => "/" + m.Groups[1].Value);
        long total = 0;
        foreach (string path in Assets.Concat(references).Concat(views).Distinct())
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
            var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            Assert.Contains("br", response.Content.Headers.ContentEncoding);
            string cache = response.Headers.CacheControl?.ToString() ?? "";
            Assert.True(path.StartsWith("/lib/") ? cache.Contains("immutable") : cache.Contains("no-cache"), $"{path}: Cache-Control {cache}");
            total += (await response.Content.ReadAsByteArrayAsync()).Length;
        }
        Assert.True(total < 300 * 1024, $"the page and its assets are {total:N0} bytes compressed");
    }

    [Fact]
    public async Task The_chart_library_is_vendored_with_its_licence()
    {
        var client = factory.CreateClient();
        var html = await client.GetStringAsync("/");
        var chart = System.Text.RegularExpressions.Regex.Match(html, "src=\"(/?lib/chart\\.js-[0-9.]+/chart\\.umd\\.min\\.js)\"");
        Assert.True(chart.Success, "index.html should load the vendored Chart.js");
        string folder = "/" + chart.Groups[1].Value.TrimStart('/')[..^"chart.umd.min.js".Length];
        Assert.Contains("MIT License", await client.GetStringAsync(folder + "LICENSE.md"));
    }
}
