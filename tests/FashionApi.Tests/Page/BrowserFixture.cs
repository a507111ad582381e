using FashionApi.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FashionApi.Tests.Page;

/// <summary>
/// The service on a real Kestrel port (chosen by the OS) and one headless Debian chromium driven by Playwright, shared
/// by the tests of one class. Each test opens its own browser context, so cookies and session storage start empty.
/// </summary>
public abstract class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium (scripts/install-prerequisites.sh --test installs it), or FASHIONAPI_CHROMIUM.</summary>
    public static readonly string Chromium = Environment.GetEnvironmentVariable("FASHIONAPI_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";
    IPlaywright? playwright;

    protected BrowserFixture(Dictionary<string, string?> settings)
    {
        Factory = new FashionApiFactory(seedModel: true, settings);
    }

    public FashionApiFactory Factory { get; }
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    /// <summary>Screenshots land in the test output, one per view, for people to look at.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        BaseUrl = Factory.StartKestrel().ToString().TrimEnd('/');
        using (var client = new HttpClient { BaseAddress = new Uri(BaseUrl) })
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(60); !(await client.GetAsync("/health/ready")).IsSuccessStatusCode; await Task.Delay(100))
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"The service at {BaseUrl} was not ready within 60 s.");
        }
        Assertions.SetDefaultExpectTimeout(30_000); // a busy two-core machine
        playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    /// <summary>A fresh page at the given size, recording console errors and uncaught exceptions.</summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(string path = "/", int width = 1280, int height = 900, string? initScript = null)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, BaseURL = BaseUrl });
        if (initScript is not null) await context.AddInitScriptAsync(initScript);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add($"console: {message.Text}"); };
        page.PageError += (_, error) => errors.Add($"page error: {error}");
        await page.GotoAsync(path);
        return (page, errors);
    }

    /// <summary>Waits until <paramref name="expression"/> (a function of no arguments) returns true in the page. Polls with
    /// Evaluate rather than using WaitForFunction, whose polling evaluates a string in the page: the page's Content
    /// Security Policy forbids that, as it should.</summary>
    public static async Task UntilAsync(IPage page, string expression, int timeoutMs = 30_000)
    {
        for (var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs); !await page.EvaluateAsync<bool>(expression); await Task.Delay(50))
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Still false after {timeoutMs} ms: {expression}");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        Factory.Dispose();
    }
}
