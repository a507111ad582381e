using System.Text.RegularExpressions;
using FashionApi.Dataset;
using FashionApi.Softmax;
using FashionApi.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static FashionApi.Tests.Page.PageChecks;
using static Microsoft.Playwright.Assertions;
using ClassList = FashionApi.Dataset.FashionMnist;

namespace FashionApi.Tests.Page;

public sealed class PageFixture() : BrowserFixture(new() { ["FashionApi:MaxImageBytes"] = "32768" });

/// <summary>The page in a real browser against the real service: classify, explore, and every view's look, at a
/// desktop's 1280×900 and a phone's 375×800.</summary>
[Trait("Category", "EndToEnd")]
public class PageTests(PageFixture fixture, ITestOutputHelper output) : IClassFixture<PageFixture>
{
    public static readonly TheoryData<int> Widths = [1280, 375];
    static int Height(int width) => width == 375 ? 800 : 900;
    static readonly string[] Views = ["classify", "explore", "train", "models"];

    static int ModelLabel(int testIndex) =>
        new SoftmaxClassifier(TestData.SeedModel.Weights).PredictLabels(TestData.FashionMnist.Test.Image(testIndex))[0];

    static FilePayload TestPng(int index) => new()
    {
        Name = $"test-{index}.png", MimeType = "image/png", Buffer = TestData.Png(TestData.FashionMnist.Test.Image(index)),
    };

    static async Task StrokeAsync(IPage page)
    {
        // One stroke shaped like trousers: up the left leg, across the waist, down the right leg.
        var box = (await page.Locator("#pad").BoundingBoxAsync())!;
        (float X, float Y)[] path = [(0.35f, 0.9f), (0.35f, 0.1f), (0.65f, 0.1f), (0.65f, 0.9f)];
        await page.Mouse.MoveAsync(box.X + box.Width * path[0].X, box.Y + box.Height * path[0].Y);
        await page.Mouse.DownAsync();
        foreach (var (x, y) in path.Skip(1))
            await page.Mouse.MoveAsync(box.X + box.Width * x, box.Y + box.Height * y, new() { Steps = 8 });
        await page.Mouse.UpAsync();
    }

    [Fact]
    public async Task Uploading_a_test_png_shows_its_label_the_input_the_model_saw_and_ten_probabilities()
    {
        var (page, errors) = await fixture.OpenAsync();
        await page.Locator("#file").SetInputFilesAsync(TestPng(0));
        await Expect(page.Locator("#predicted")).ToHaveTextAsync(ClassList.ClassNames[ModelLabel(0)]);
        await Expect(page.Locator("#prediction-detail")).ToContainTextAsync("confident");
        await BrowserFixture.UntilAsync(page, "() => { const img = document.getElementById('seen'); return img.complete && img.naturalWidth === 28; }");
        Assert.Equal(10, await page.EvaluateAsync<int>("Chart.getChart('probabilities').data.datasets[0].data.filter(p => p > 0).length"));
        // The class names come from the service, in label order.
        Assert.Equal(ClassList.ClassNames, await page.EvaluateAsync<string[]>("Chart.getChart('probabilities').data.labels"));
        await Expect(page.Locator("#truth")).ToBeHiddenAsync(); // an upload's true class is not known
        Assert.Empty(errors);
    }

    [Theory, MemberData(nameof(Widths))]
    public async Task A_result_comes_into_view_after_an_upload_and_after_a_stroke(int width)
    {
        var (page, errors) = await fixture.OpenAsync("/", width, Height(width));
        await page.Locator("#file").SetInputFilesAsync(TestPng(1));
        await Expect(page.Locator("#predicted")).ToHaveTextAsync(ClassList.ClassNames[ModelLabel(1)]);
        await ExpectInViewAsync(page.Locator("#verdict"), "the class after an upload");
        await ExpectInViewAsync(page.Locator("#probabilities"), "the probabilities after an upload");

        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.Locator("#pad").ScrollIntoViewIfNeededAsync();
        await StrokeAsync(page);
        await Expect(page.Locator("#prediction-detail")).ToContainTextAsync("confident · your drawing"); // not "Classifying your drawing…"
        string label = await page.Locator("#predicted").InnerTextAsync();
        Assert.Contains(label, ClassList.ClassNames);
        await Expect(page.Locator("#seen")).ToBeVisibleAsync();
        // The pad stays where the finger is; the line under it gives the answer.
        await Expect(page.Locator("#pad-result")).ToHaveTextAsync(new Regex($@"^→ {Regex.Escape(label)}, \d+\.\d% confident$"));
        await ExpectInViewAsync(page.Locator("#pad-result"), "the answer after a stroke");
        await ExpectInViewAsync(page.Locator("#pad"), "the drawing pad after a stroke");
        if (width == 1280) await page.ScreenshotAsync(new() { Path = Screenshot("classify.png") });

        await page.Locator("#clear").ClickAsync();
        await Expect(page.Locator("#predicted")).ToHaveTextAsync("—");
        await Expect(page.Locator("#pad-result")).ToBeHiddenAsync();
        Assert.Empty(errors);
    }

    [Theory, MemberData(nameof(Widths))]
    public async Task A_test_image_shows_its_true_class_and_whether_the_model_got_it_right(int width)
    {
        var (page, errors) = await fixture.OpenAsync("/", width, Height(width));
        for (int attempt = 0; attempt < 3; attempt++)
        {
            string before = await page.Locator("#prediction-detail").InnerTextAsync();
            await page.Locator("#random-test").ClickAsync();
            await Expect(page.Locator("#prediction-detail")).Not.ToHaveTextAsync(before);
            await Expect(page.Locator("#prediction-detail")).ToContainTextAsync(new Regex(@"confident · test image #\d+"));
            int index = int.Parse(Regex.Match(await page.Locator("#prediction-detail").InnerTextAsync(), @"#(\d+)").Groups[1].Value);
            string truth = ClassList.ClassNames[TestData.FashionMnist.Test.Labels[index]];
            bool right = ModelLabel(index) == TestData.FashionMnist.Test.Labels[index];
            await Expect(page.Locator("#predicted")).ToHaveTextAsync(ClassList.ClassNames[ModelLabel(index)]);
            await Expect(page.Locator("#truth")).ToHaveTextAsync(right ? $"✓ Right: it is a {truth}." : $"✗ Wrong: it is a {truth}.");
            await Expect(page.Locator("#truth")).ToHaveClassAsync(right ? "truth right" : "truth wrong");
            await ExpectInViewAsync(page.Locator("#verdict"), "the verdict on a test image");
        }
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_upload_the_service_refuses_shows_its_message_and_clears_the_previous_result()
    {
        var (page, _) = await fixture.OpenAsync();
        await page.Locator("#file").SetInputFilesAsync(TestPng(0));
        await Expect(page.Locator("#predicted")).ToHaveTextAsync(ClassList.ClassNames[ModelLabel(0)]);
        await Expect(page.Locator("#seen")).ToBeVisibleAsync();

        var noise = new byte[256 * 256];
        new Random(1).NextBytes(noise);
        await page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "big.png", MimeType = "image/png", Buffer = TestData.Png(noise, 256, 256) });
        await Expect(page.Locator("#classify-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#classify-error")).ToContainTextAsync("the limit is 32,768 bytes");
        // Nothing of test-0.png's result is left beside the error.
        await Expect(page.Locator("#predicted")).ToHaveTextAsync("—");
        await Expect(page.Locator("#seen")).ToBeHiddenAsync();
        await Expect(page.Locator("#prediction-detail")).ToHaveTextAsync("big.png could not be classified.");
        Assert.Equal(0, await page.EvaluateAsync<int>("Chart.getChart('probabilities').data.datasets[0].data.filter(p => p != null).length"));
    }

    [Theory, MemberData(nameof(Widths))]
    public async Task The_header_keeps_one_layout_whatever_the_model_line_says(int width)
    {
        var (page, _) = await fixture.OpenAsync("/", width, Height(width));
        await Expect(page.Locator("#model-line")).ToContainTextAsync("Active model");
        const string Boxes = "['header', 'header h1', 'header nav', '.api-link'].map(s => JSON.stringify(document.querySelector(s).getBoundingClientRect()))";
        string[] loaded = await page.EvaluateAsync<string[]>(Boxes);
        foreach (string text in new[] { "Loading the active model…", "No model is ready yet (the first training is running)." })
        {
            await page.Locator("#model-line").EvaluateAsync("(e, text) => e.textContent = text", text);
            Assert.Equal(loaded, await page.EvaluateAsync<string[]>(Boxes));
        }
    }

    [Fact]
    public async Task The_gallery_shows_28_by_28_test_images_with_labels_and_filters_by_mistakes_and_confusion_cells()
    {
        var (page, errors) = await fixture.OpenAsync("/#explore");
        var items = page.Locator("#grid li");
        await Expect(items).ToHaveCountAsync(60);
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("of 167 · 10,000 images");
        await Expect(items.First).ToContainTextAsync("Ankle boot");
        await BrowserFixture.UntilAsync(page, "() => [...document.querySelectorAll('#grid img')].every(i => i.complete && i.naturalWidth === 28)");
        Assert.Equal(28, await items.First.Locator("img").EvaluateAsync<int>("img => img.naturalHeight"));
        await page.ScreenshotAsync(new() { Path = Screenshot("explore.png"), FullPage = true });

        // Only mistakes: every tile is marked wrong, and the count is the model's errors.
        int errorsOfModel = (int)Math.Round(10_000 * (1 - TestData.SeedModel.Evaluation.TestAccuracy));
        await page.Locator("#mistakes").CheckAsync();
        await Expect(page.Locator("#page-info")).ToContainTextAsync($"{errorsOfModel:N0} images");
        await Expect(items).ToHaveCountAsync(60);
        Assert.Equal(60, await page.Locator("#grid li.wrong").CountAsync());
        await page.Locator("#next").ClickAsync();
        await Expect(page.Locator("#page-number")).ToHaveValueAsync("2");
        Assert.Equal(await items.CountAsync(), await page.Locator("#grid li.wrong").CountAsync());
        int lastPage = (errorsOfModel + 59) / 60; // typed page numbers reach the end of the set
        await page.Locator("#page-number").FillAsync(lastPage.ToString());
        await page.Locator("#page-number").PressAsync("Enter");
        await Expect(page.Locator("#page-info")).ToContainTextAsync($"of {lastPage} ·");
        await Expect(page.Locator("#page-number")).ToHaveValueAsync(lastPage.ToString());
        await Expect(items).ToHaveCountAsync(errorsOfModel - 60 * (lastPage - 1));
        await Expect(page.Locator("#next")).ToBeDisabledAsync();
        await Expect(page.Locator("#explore .pager .next").Last).ToBeDisabledAsync();

        // A confusion cell: shirts taken for T-shirts, exactly as many as the matrix says.
        int cell = TestData.SeedModel.Evaluation.ConfusionMatrix[6][0];
        await page.Locator("#matrix button[data-true='6'][data-predicted='0']").ClickAsync();
        await Expect(page.Locator("#page-info")).ToContainTextAsync($"· {cell:N0} images");
        await Expect(page.Locator("#page-number")).ToHaveValueAsync("1");
        await Expect(items).ToHaveCountAsync(Math.Min(60, cell));
        foreach (var item in await items.AllAsync())
        {
            Assert.Equal("Shirt", await item.Locator(".true").InnerTextAsync());
            Assert.Equal("✗ T-shirt/top", await item.Locator(".pred").InnerTextAsync());
        }
        Assert.Empty(errors);
    }

    [Theory, MemberData(nameof(Widths))]
    public async Task The_gallery_pages_from_below_a_matrix_cell_brings_the_grid_into_view_and_labels_stay_on_one_line(int width)
    {
        var (page, errors) = await fixture.OpenAsync("/#explore", width, Height(width));
        var items = page.Locator("#grid li");
        await Expect(items).ToHaveCountAsync(60);

        // The pager below the grid: no scrolling back up to turn the page, and the new page starts in view.
        var below = page.Locator("#explore .pager").Last;
        await below.Locator(".next").ScrollIntoViewIfNeededAsync();
        await below.Locator(".next").ClickAsync();
        await Expect(below.Locator(".page-info")).ToHaveTextAsync("Page 2 of 167 · 10,000 images");
        await Expect(page.Locator("#page-number")).ToHaveValueAsync("2");
        await Expect(items.First).ToHaveAttributeAsync("data-index", "60");
        await ExpectInViewAsync(page.Locator("#explore .pager").First, "the top of the grid after paging from below");
        await below.Locator(".prev").ScrollIntoViewIfNeededAsync();
        await below.Locator(".prev").ClickAsync();
        await Expect(items.First).ToHaveAttributeAsync("data-index", "0");

        // Class names never break inside a tile ("T-/shirt/top"): every label is one line.
        string[] broken = await page.EvaluateAsync<string[]>("""
            [...document.querySelectorAll('#grid li div')].filter(d => d.getClientRects().length !== 1 || d.clientHeight > 1.5 * parseFloat(getComputedStyle(d).lineHeight))
              .map(d => d.textContent)
            """);
        Assert.Empty(broken);

        // The matrix: on a phone it says it scrolls sideways; a cell chosen below the grid brings the grid into view.
        var cue = page.Locator("#explore .scroll-cue");
        if (width == 375) await Expect(cue).ToBeVisibleAsync();
        else await Expect(cue).ToBeHiddenAsync();
        var cell = page.Locator("#matrix button[data-true='2'][data-predicted='4']");
        await cell.ScrollIntoViewIfNeededAsync();
        Assert.False(await IsInViewAsync(page.Locator("#explore .pager").First));
        await cell.ClickAsync();
        await Expect(page.Locator("#page-info")).ToContainTextAsync($"· {TestData.SeedModel.Evaluation.ConfusionMatrix[2][4]:N0} images");
        await ExpectInViewAsync(page.Locator("#explore .pager").First, "the grid after choosing a matrix cell");
        await Expect(items.First.Locator(".pred")).ToHaveTextAsync("✗ Coat");

        // Per-class accuracy: each bar carries its number (drawn by the chart helper's value labels).
        Assert.Equal(ClassList.ClassNames.Select(name => Math.Round(TestData.SeedModel.Evaluation.PerClassAccuracy[name], 4)),
            (await page.EvaluateAsync<double[]>("Chart.getChart('per-class').data.datasets[0].data")).Select(v => Math.Round(v, 4)));
        Assert.Equal(ClassList.ClassNames.Select(name => $"{100 * TestData.SeedModel.Evaluation.PerClassAccuracy[name]:F1}%"),
            await page.EvaluateAsync<string[]>("Chart.getChart('per-class').valueLabels"));
        await page.ScreenshotAsync(new() { Path = Screenshot($"explore-matrix-{width}.png") });
        Assert.Empty(errors);
    }

    [Theory, MemberData(nameof(Widths))]
    public async Task Every_view_shows_a_loading_state_while_a_request_takes_longer_than_200_ms(int width)
    {
        var (page, errors) = await fixture.OpenAsync("/", width, Height(width));
        await Expect(page.Locator("#model-line")).ToContainTextAsync("Active model");
        var delay = TimeSpan.FromMilliseconds(1500);

        await SlowDownAsync(page, "**/predict?*", delay);
        await page.Locator("#file").SetInputFilesAsync(TestPng(0));
        await Expect(page.Locator("#result")).ToHaveClassAsync(new Regex(@"\bloading\b"));
        await Expect(page.Locator("#result")).ToHaveAttributeAsync("aria-busy", "true");
        await Expect(page.Locator("#predicted")).ToHaveTextAsync(ClassList.ClassNames[ModelLabel(0)]);
        await Expect(page.Locator("#result")).Not.ToHaveClassAsync(new Regex(@"\bloading\b"));

        await SlowDownAsync(page, "**/samples?*", delay);
        await page.Locator("nav a[data-view='explore']").ClickAsync();
        await Expect(page.Locator("#grid-box")).ToHaveClassAsync(new Regex(@"\bloading\b"));
        await Expect(page.Locator("#grid li")).ToHaveCountAsync(60);
        await Expect(page.Locator("#grid-box")).Not.ToHaveClassAsync(new Regex(@"\bloading\b"));
        await page.Locator("#next").ClickAsync();
        await Expect(page.Locator("#grid-box")).ToHaveClassAsync(new Regex(@"\bloading\b"));
        await page.ScreenshotAsync(new() { Path = Screenshot($"explore-loading-{width}.png") });
        await Expect(page.Locator("#grid li").First).ToHaveAttributeAsync("data-index", "60");
        await Expect(page.Locator("#grid-box")).Not.ToHaveClassAsync(new Regex(@"\bloading\b"));

        await SlowDownAsync(page, "**/train", delay);
        await page.Locator("nav a[data-view='train']").ClickAsync();
        await Expect(page.Locator("#train .table-wrap")).ToHaveClassAsync(new Regex(@"\bloading\b"));
        await Expect(page.Locator("#train .table-wrap")).Not.ToHaveClassAsync(new Regex(@"\bloading\b"));

        await SlowDownAsync(page, "**/models", delay);
        await page.Locator("nav a[data-view='models']").ClickAsync();
        await Expect(page.Locator("#models .table-wrap")).ToHaveClassAsync(new Regex(@"\bloading\b"));
        await Expect(page.Locator("#versions tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#models .table-wrap")).Not.ToHaveClassAsync(new Regex(@"\bloading\b"));
        Assert.Empty(errors);
    }

    [Theory, MemberData(nameof(Widths))]
    public async Task Every_view_loads_without_console_errors_fits_its_screen_and_passes_axe(int width)
    {
        var (page, errors) = await fixture.OpenAsync("/", width, Height(width));
        // Recorded, not asserted (timings on a shared machine): how soon the first view could be used.
        await Expect(page.Locator("#probabilities")).ToBeVisibleAsync();
        var timing = await page.EvaluateAsync<double[]>(
            "(() => { const n = performance.getEntriesByType('navigation')[0]; return [n.domInteractive, n.domContentLoadedEventEnd, n.loadEventEnd]; })()");
        output.WriteLine($"{width} px: DOM interactive {timing[0]:F0} ms, modules run {timing[1]:F0} ms, loaded {timing[2]:F0} ms");
        await Expect(page.Locator("#model-line")).ToContainTextAsync("Active model");
        foreach (string view in Views)
        {
            await page.Locator($"nav a[data-view='{view}']").ClickAsync();
            await Expect(page.Locator($"#{view}")).ToBeVisibleAsync();
            await Expect(page.Locator($"nav a[data-view='{view}']")).ToHaveAttributeAsync("aria-current", "page");
            if (view == "classify")
            {
                await page.Locator("#file").SetInputFilesAsync(TestPng(0));
                await Expect(page.Locator("#predicted")).ToHaveTextAsync(ClassList.ClassNames[ModelLabel(0)]);
            }
            if (view == "explore") await Expect(page.Locator("#grid li")).ToHaveCountAsync(60);
            if (view == "train") await Expect(page.Locator("#preset option")).ToHaveCountAsync(2);
            if (view == "models") await Expect(page.Locator("#weights canvas")).ToHaveCountAsync(10);
            await AssertFitsAsync(page, view);
            await AssertAccessibleAsync(page, $"the {view} view");
            // The screenshot of the whole page is as wide as the screen: nothing sticks out sideways.
            byte[] png = await page.ScreenshotAsync(new() { Path = Screenshot(width == 375 ? $"{view}-375.png" : $"{view}-desktop.png"), FullPage = true });
            Assert.Equal(width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4))); // IHDR width
        }
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_models_view_downloads_a_version_as_the_onnx_file_the_api_serves()
    {
        var (page, errors) = await fixture.OpenAsync("/#models");
        string version = fixture.Factory.SeedVersion!;
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.Locator($"a[aria-label='Download {version} as ONNX']").ClickAsync());
        Assert.Equal($"fashion-mnist-{version}.onnx", download.SuggestedFilename);
        using var client = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        Assert.Equal(await client.GetByteArrayAsync($"/models/{version}/onnx"), await File.ReadAllBytesAsync(await download.PathAsync()));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_fit_check_fails_when_a_view_is_wider_than_its_box()
    {
        // The check above must be able to fail: a table too wide for a box that does not say it scrolls.
        var (page, _) = await fixture.OpenAsync("/#models", 375, 800);
        await Expect(page.Locator("#versions tr")).ToHaveCountAsync(1);
        await AssertFitsAsync(page, "models");
        await page.Locator("#versions td").First.EvaluateAsync("td => { td.style.whiteSpace = 'nowrap'; td.textContent = 'x'.repeat(120); }");
        var failure = await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() => AssertFitsAsync(page, "models"));
        Assert.Contains("does not fit", failure.Message);
    }

    [Theory, MemberData(nameof(Widths))]
    public async Task Every_control_of_every_view_is_reached_by_the_tab_key_and_shows_where_the_focus_is(int width)
    {
        var (page, errors) = await fixture.OpenAsync("/", width, Height(width));
        await Expect(page.Locator("#model-line")).ToContainTextAsync("Active model");
        foreach (string view in Views)
        {
            await page.Locator($"nav a[data-view='{view}']").ClickAsync();
            await Expect(page.Locator($"#{view}")).ToBeVisibleAsync(); // the view changes on hashchange, a moment after the click
            if (view == "explore") await Expect(page.Locator("#grid li")).ToHaveCountAsync(60);
            if (view == "train") await Expect(page.Locator("#preset option")).ToHaveCountAsync(2);
            if (view == "models") await Expect(page.Locator("#weights canvas")).ToHaveCountAsync(10);
            string[] controls = await page.EvaluateAsync<string[]>("""
                view => [...document.querySelectorAll(`header a, #${view} :is(a[href], button, input, select, [tabindex="0"])`)]
                  .filter(e => !e.disabled && (e.getClientRects().length || e.classList.contains('visually-hidden')))
                  .map((e, i) => (e.dataset.tabCheck = `${view}-${i}`))
                """, view);
            // At least the header's five links and, e.g., the matrix's 100 cells: a view not shown yet would have none.
            int expected = view switch { "classify" => 9, "explore" => 110, "train" => 15, _ => 7 };
            Assert.True(controls.Length >= expected, $"{view}: only {controls.Length} controls found");
            await page.EvaluateAsync("document.activeElement?.blur(); window.scrollTo(0, 0)");
            var reached = new HashSet<string>();
            var unseen = new List<string>();
            for (int press = 0; press < controls.Length + 20 && reached.Count < controls.Length; press++)
            {
                await page.Keyboard.PressAsync("Tab");
                var focus = await page.EvaluateAsync<string[]>("""
                    () => {
                      const e = document.activeElement;
                      // A visually hidden file input shows its focus on the label drawn as a button beside it.
                      const shown = e.classList.contains('visually-hidden') ? document.querySelector(`label[for="${e.id}"]`) : e;
                      const style = getComputedStyle(shown);
                      const visible = e.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
                      return [e.dataset.tabCheck ?? '', visible ? '' : `${e.tagName.toLowerCase()}#${e.id} ${e.textContent.trim().slice(0, 30)}`];
                    }
                    """);
                if (focus[0] != "") reached.Add(focus[0]);
                if (focus[1] != "" && focus[0] != "") unseen.Add(focus[1]);
            }
            var missed = controls.Where(c => !reached.Contains(c)).ToList();
            Assert.True(missed.Count == 0, $"{view} at {width} px: {missed.Count} of {controls.Length} controls never got the focus, e.g. " +
                await page.EvaluateAsync<string>("ids => ids.slice(0, 5).map(id => document.querySelector(`[data-tab-check='${id}']`).outerHTML.slice(0, 80)).join(' | ')", missed));
            Assert.True(unseen.Count == 0, $"{view} at {width} px: no visible focus on {string.Join(", ", unseen.Take(5))}");
        }

        // Operable, not only reachable: Enter on a matrix cell filters the grid like a click.
        await page.Locator("nav a[data-view='explore']").ClickAsync();
        await Expect(page.Locator("#explore")).ToBeVisibleAsync();
        await page.Locator("#matrix button[data-true='6'][data-predicted='0']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#page-info")).ToContainTextAsync($"· {TestData.SeedModel.Evaluation.ConfusionMatrix[6][0]:N0} images");
        Assert.Empty(errors);
    }
}
