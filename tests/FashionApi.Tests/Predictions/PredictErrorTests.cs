using System.Net;
using FashionApi.Dataset;
using FashionApi.Predictions;
using FashionApi.Tests.Infrastructure;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Predictions;

public class PredictErrorTests(FashionApiFactory factory) : IClassFixture<FashionApiFactory>
{
    static byte[] TestPng => TestData.Png(TestData.FashionMnist.Test.Image(0));

    [Fact]
    public async Task An_empty_body_is_a_400()
    {
        var client = await factory.CreateReadyClientAsync();
        await (await client.PostAsync("/predict", null)).AssertProblemAsync(HttpStatusCode.BadRequest, "no body");
        await (await client.PostAsync("/predict", ImageContent([]))).AssertProblemAsync(HttpStatusCode.BadRequest, "empty");
    }

    [Fact]
    public async Task Undecodable_and_truncated_images_are_a_400()
    {
        var client = await factory.CreateReadyClientAsync();
        await (await client.PostAsync("/predict", ImageContent("not an image at all"u8.ToArray())))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "not an image in a supported format");
        await (await client.PostAsync("/predict", ImageContent(TestPng[..60])))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "could not be decoded");
        await (await client.PostAsync("/predict", Multipart("image", TestPng[..60])))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "could not be decoded");
    }

    [Fact]
    public async Task Malformed_json_and_wrong_pixel_counts_are_a_400()
    {
        var client = await factory.CreateReadyClientAsync();
        var malformed = new StringContent("{\"pixels\": [1, 2", System.Text.Encoding.UTF8, "application/json");
        await (await client.PostAsync("/predict", malformed)).AssertProblemAsync(HttpStatusCode.BadRequest, "not valid JSON");
        await (await client.PostAsync("/predict", JsonBody(new { pixels = new int[783] })))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "has 783 values; expected 784");
        await (await client.PostAsync("/predict", JsonBody(new { })))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "'pixels' is required");
        await (await client.PostAsync("/predict", JsonBody(new { pixels = Enumerable.Repeat(300, 784) })))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "'pixels[0]' is 300");
        await (await client.PostAsync("/predict/batch", JsonBody(new { instances = new[] { new int[784], new int[10] } })))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "'instances[1]' has 10 values");
        await (await client.PostAsync("/predict/batch", JsonBody(new { instances = Array.Empty<int[]>() })))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "holds no images");
    }

    [Fact]
    public async Task A_missing_form_field_or_bad_invert_value_is_a_400()
    {
        var client = await factory.CreateReadyClientAsync();
        await (await client.PostAsync("/predict", Multipart("picture", TestPng))).AssertProblemAsync(HttpStatusCode.BadRequest, "field 'image'");
        await (await client.PostAsync("/predict?invert=maybe", ImageContent(TestPng))).AssertProblemAsync(HttpStatusCode.BadRequest, "auto, true or false");
    }

    [Fact]
    public async Task A_truncated_multipart_body_is_a_400()
    {
        var client = await factory.CreateReadyClientAsync();
        var body = new ByteArrayContent("--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG"u8.ToArray());
        body.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        await (await client.PostAsync("/predict", body)).AssertProblemAsync(HttpStatusCode.BadRequest, "multipart body is malformed or ends early");
    }

    [Fact]
    public async Task Numbers_are_not_invert_modes()
    {
        var client = await factory.CreateReadyClientAsync();
        await (await client.PostAsync("/predict?invert=1", ImageContent(TestPng))).AssertProblemAsync(HttpStatusCode.BadRequest, "auto, true or false");
    }

    [Fact]
    public async Task An_animated_gif_is_read_to_its_first_frame_only()
    {
        var client = await factory.CreateReadyClientAsync();
        using var animation = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.L8>(512, 512);
        for (int i = 0; i < 20; i++)
            animation.Frames.AddFrame(animation.Frames.RootFrame);
        using var stream = new MemoryStream();
        SixLabors.ImageSharp.ImageExtensions.SaveAsGif(animation, stream);
        byte[] gif = stream.ToArray();

        using var decoded = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.L8>(FashionApi.Predictions.AcceptedImageFormats.Decoding, gif);
        Assert.Single(decoded.Frames);
        await (await client.PostAsync("/predict", ImageContent(gif, "image/gif"))).AssertOkJsonAsync();
    }

    [Fact]
    public async Task An_unsupported_content_type_is_a_415()
    {
        var client = await factory.CreateReadyClientAsync();
        await (await client.PostAsync("/predict", new StringContent("hello"))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "text/plain");
        await (await client.PostAsync("/predict/batch", ImageContent(TestPng))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "image/png");
    }

    [Fact]
    public async Task Images_over_the_byte_limit_are_a_413_and_the_model_keeps_serving()
    {
        using var limited = new FashionApiFactory(seedModel: true, new() { ["FashionApi:MaxImageBytes"] = "500" });
        var client = await limited.CreateReadyClientAsync();
        var big = new byte[501];
        TestPng.CopyTo(big, 0);
        await (await client.PostAsync("/predict", ImageContent(big))).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "limit is 500");
        await (await client.PostAsync("/predict", Multipart("image", big))).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "limit is 500");
        await (await client.PostAsync("/predict", ImageContent(TestPng))).AssertOkJsonAsync();
    }

    [Fact]
    public async Task Default_limit_is_one_mebibyte()
    {
        var client = await factory.CreateReadyClientAsync();
        var big = new byte[1024 * 1024 + 1];
        TestPng.CopyTo(big, 0);
        await (await client.PostAsync("/predict", ImageContent(big))).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "1,048,576");
    }

    [Fact]
    public async Task A_decompression_bomb_is_refused_from_its_header()
    {
        var client = await factory.CreateReadyClientAsync();
        // 5000×5000 black pixels compress to a few KiB but would decode to 25 megapixels.
        byte[] bomb = TestData.Png(new byte[5000 * 5000], 5000, 5000);
        Assert.True(bomb.Length < 100_000);
        await (await client.PostAsync("/predict", ImageContent(bomb))).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "5000×5000");
    }

    [Fact]
    public async Task Too_many_images_in_a_batch_is_a_413()
    {
        using var limited = new FashionApiFactory(seedModel: true, new() { ["FashionApi:MaxBatchSize"] = "3" });
        var client = await limited.CreateReadyClientAsync();
        await (await client.PostAsync("/predict/batch", Multipart("images", TestPng, TestPng, TestPng, TestPng)))
            .AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "at most 3");
        await (await client.PostAsync("/predict/batch", JsonBody(new { instances = Enumerable.Repeat(new int[784], 4) })))
            .AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "at most 3");
    }

    [Fact]
    public async Task Without_a_model_predictions_are_a_503_with_retry_after_and_readiness_says_so()
    {
        using var empty = new FashionApiFactory(seedModel: false);
        var client = empty.CreateClient();
        var response = await client.PostAsync("/predict", ImageContent(TestPng));
        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "No model is ready");
        Assert.NotNull(response.Headers.RetryAfter);
        await (await client.GetAsync("/model")).AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var status = await (await client.GetAsync("/status")).AssertOkJsonAsync();
        Assert.False(status.GetProperty("modelReady").GetBoolean());
    }
}
