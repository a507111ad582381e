using FashionApi.Tests.Infrastructure;
using Microsoft.Playwright;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static Microsoft.Playwright.Assertions;

namespace FashionApi.Tests.Page;

/// <summary>The page tells the shopper when a photo was hard to read, next to the prediction.</summary>
[Trait("Category", "EndToEnd")]
public class PhotoWarningPageTests(PageFixture fixture) : IClassFixture<PageFixture>
{
    [Fact]
    public async Task A_photo_with_nothing_on_it_shows_a_warning_next_to_the_prediction_and_a_clean_upload_clears_it()
    {
        var (page, errors) = await fixture.OpenAsync();
        using var blank = new Image<Rgb24>(320, 240, new Rgb24(236, 232, 225));
        using var stream = new MemoryStream();
        blank.SaveAsJpeg(stream);
        await page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "blank.jpg", MimeType = "image/jpeg", Buffer = stream.ToArray() });

        var warnings = page.Locator("#prediction-warnings");
        await Expect(warnings).ToBeVisibleAsync();
        await Expect(warnings).ToContainTextAsync("hard to read");
        await Expect(warnings.Locator("li[data-warning='noForeground']")).ToContainTextAsync("Nothing stood out");
        await Expect(page.Locator("#prediction-detail")).ToContainTextAsync("background 23"); // the level removed: 232 or so

        await page.Locator("#file").SetInputFilesAsync(new FilePayload
        {
            Name = "test-0.png", MimeType = "image/png", Buffer = TestData.Png(TestData.FashionMnist.Test.Image(0)),
        });
        await Expect(page.Locator("#prediction-detail")).ToContainTextAsync("test-0.png");
        await Expect(warnings).ToBeHiddenAsync();
        Assert.Empty(errors);
    }
}
