using System.Net;
using System.Net.Http.Headers;
using FashionApi.Tests.Infrastructure;

namespace FashionApi.Tests.Page;

/// <summary>The page's files: served at the root, compressed, with caching headers, and small.</summary>
public class WebPageTests(FashionApiFactory factory, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<FashionApiFactory>
{
    static readonly string[] Assets = ["/", "/app.js", "/style.css"];

    [Fact]
    public async Task The_page_and_its_assets_are_compressed_revalidated_and_under_300_KB_in_all()
    {
        var client = factory.CreateClient();
        var html = await client.GetStringAsync("/");
        var references = System.Text.RegularExpressions.Regex.Matches(html, "(?:src|href)=\"(/?[^\"#:]+)\"")
            .Select(m => "/" + m.Groups[1].Value.TrimStart('/')).Where(p => !p.StartsWith("/swagger")).ToList();
        // Every module the page loads: app.js's imports, theirs, and so on.
        var views = new List<string>();
        for (var queue = new Queue<string>(["/app.js"]); queue.TryDequeue(out string? module);)
            foreach (var import in System.Text.RegularExpressions.Regex.Matches(await client.GetStringAsync(module), "from \"\\./([^\"]+)\"")
                         .Select(m => "/" + m.Groups[1].Value).Where(m => !views.Contains(m)))
            {
                views.Add(import);
                queue.Enqueue(import);
            }
        Assert.Contains("/charts.js", views);
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
        output.WriteLine($"the page and its {views.Count + references.Count} assets: {total:N0} bytes compressed");
        Assert.True(total < 300 * 1024, $"the page and its assets are {total:N0} bytes compressed");
    }

    [Fact]
    public async Task Prediction_answers_are_not_compressed_but_other_JSON_is()
    {
        // A prediction is a few hundred bytes: compressing it cost more CPU than making it (README, "Benchmarks").
        var client = await factory.CreateReadyClientAsync();
        using var predict = new HttpRequestMessage(HttpMethod.Post, "/predict")
        {
            Content = HttpAssertions.ImageContent(TestData.Png(TestData.FashionMnist.Test.Image(0))),
        };
        predict.Headers.AcceptEncoding.ParseAdd("br, gzip");
        var answer = await client.SendAsync(predict);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Empty(answer.Content.Headers.ContentEncoding);
        Assert.Equal(9, (await answer.AssertOkJsonAsync()).GetProperty("label").GetInt32());

        using var list = new HttpRequestMessage(HttpMethod.Get, "/models");
        list.Headers.AcceptEncoding.ParseAdd("br, gzip");
        var models = await client.SendAsync(list);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Contains("br", models.Content.Headers.ContentEncoding);
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
