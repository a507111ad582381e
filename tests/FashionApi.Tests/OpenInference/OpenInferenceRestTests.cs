using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;
using FashionApi.Models;
using FashionApi.Predictions;
using FashionApi.Softmax;
using FashionApi.OpenInference;
using FashionApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.OpenInference;

/// <summary>The protocol's REST routes, with requests built as the protocol's documents show them (its HTTP/REST
/// document and the binary tensor data extension's examples), checked against <c>/predict</c> and the in-process
/// predictor.</summary>
public class OpenInferenceRestTests(FashionApiFactory factory) : IClassFixture<FashionApiFactory>
{
    const string Model = "/v2/models/fashion-mnist";
    static FashionApi.Dataset.FashionMnistSplit Test => TestData.FashionMnist.Test;

    IReadOnlyList<Prediction> InProcess(int first, int count) =>
        factory.Services.GetRequiredService<ModelPredictor>().Predict(Test.Pixels.AsSpan(first * 784, count * 784));

    static string Numbers(int first, int count) => string.Join(",", Test.Pixels.AsSpan(first * 784, count * 784).ToArray());

    static float[] Floats(JsonElement data) => data.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    static JsonElement Output(JsonElement response, string name) =>
        response.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == name);

    [Fact]
    public async Task Health_and_server_metadata_answer_as_the_protocol_says()
    {
        var client = await factory.CreateReadyClientAsync();
        Assert.True((await (await client.GetAsync("/v2/health/live")).AssertOkJsonAsync()).GetProperty("live").GetBoolean());
        Assert.True((await (await client.GetAsync("/v2/health/ready")).AssertOkJsonAsync()).GetProperty("ready").GetBoolean());
        var server = await (await client.GetAsync("/v2")).AssertOkJsonAsync();
        Assert.Equal("fashionapi", server.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(server.GetProperty("version").GetString()));
        Assert.Contains("binary_tensor_data", server.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Model_metadata_lists_the_saved_versions_the_inputs_and_the_outputs()
    {
        var client = await factory.CreateReadyClientAsync();
        var metadata = await (await client.GetAsync(Model)).AssertOkJsonAsync();
        Assert.Equal("fashion-mnist", metadata.GetProperty("name").GetString());
        Assert.Contains(factory.SeedVersion, metadata.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("fashionapi_softmax", metadata.GetProperty("platform").GetString());
        Assert.Equal(["pixels:FP32:[-1,784]", "image:BYTES:[-1]"], Tensors(metadata.GetProperty("inputs")));
        Assert.Equal(["probabilities:FP32:[-1,10]", "label:INT64:[-1]", "class_name:BYTES:[-1]"], Tensors(metadata.GetProperty("outputs")));
        var versioned = await (await client.GetAsync($"{Model}/versions/{factory.SeedVersion}")).AssertOkJsonAsync();
        Assert.Equal(metadata.ToString(), versioned.ToString());
        var ready = await (await client.GetAsync($"{Model}/ready")).AssertOkJsonAsync();
        Assert.Equal("fashion-mnist", ready.GetProperty("name").GetString());
        Assert.True(ready.GetProperty("ready").GetBoolean());
        Assert.True((await (await client.GetAsync($"{Model}/versions/{factory.SeedVersion}/ready")).AssertOkJsonAsync()).GetProperty("ready").GetBoolean());
    }

    static IEnumerable<string> Tensors(JsonElement tensors) => tensors.EnumerateArray().Select(t =>
        $"{t.GetProperty("name").GetString()}:{t.GetProperty("datatype").GetString()}:[{string.Join(",", t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()))}]");

    [Fact]
    public async Task The_protocols_json_request_example_classifies_as_the_in_process_predictor_and_echoes_the_id()
    {
        var client = await factory.CreateReadyClientAsync();
        // As the protocol's example: an id, one input with name, shape, datatype and flat data, one output asked for.
        string json = $$"""
            {
              "id" : "42",
              "inputs" : [
                {
                  "name" : "pixels",
                  "shape" : [ 3, 784 ],
                  "datatype" : "UINT8",
                  "data" : [ {{Numbers(0, 3)}} ]
                }
              ],
              "outputs" : [
                {
                  "name" : "label"
                }
              ]
            }
            """;
        var response = await (await client.PostAsync($"{Model}/infer", new StringContent(json, Encoding.UTF8, "application/json"))).AssertOkJsonAsync();
        Assert.Equal("42", response.GetProperty("id").GetString());
        Assert.Equal("fashion-mnist", response.GetProperty("model_name").GetString());
        Assert.Equal(factory.SeedVersion, response.GetProperty("model_version").GetString());
        var label = Assert.Single(response.GetProperty("outputs").EnumerateArray());
        Assert.Equal("label", label.GetProperty("name").GetString());
        Assert.Equal("INT64", label.GetProperty("datatype").GetString());
        Assert.Equal([3L], label.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(InProcess(0, 3).Select(p => (long)p.Label), label.GetProperty("data").EnumerateArray().Select(d => d.GetInt64()));
    }

    [Theory]
    [InlineData("[2,784]", false)]
    [InlineData("[2,28,28]", true)]
    [InlineData("[2,1,28,28]", true)]
    public async Task Pixels_as_uint8_or_fp32_in_any_accepted_shape_give_the_predictors_probabilities(string shape, bool nested)
    {
        var client = await factory.CreateReadyClientAsync();
        var pixels = Test.Pixels.AsSpan(10 * 784, 2 * 784).ToArray();
        // The protocol allows data in its natural nested form or flat.
        string Data(Func<byte, string> value) => nested
            ? "[" + string.Join(",", pixels.Chunk(784).Select(image => "[" + string.Join(",", image.Chunk(28).Select(row => "[" + string.Join(",", row.Select(value)) + "]")) + "]")) + "]"
            : "[" + string.Join(",", pixels.Select(value)) + "]";
        var expected = InProcess(10, 2);
        foreach (var (datatype, data) in new[] { ("UINT8", Data(v => v.ToString())), ("FP32", Data(v => (v / 255f).ToString("R"))) })
        {
            string json = $$"""{"inputs":[{"name":"pixels","shape":{{shape}},"datatype":"{{datatype}}","data":{{data}}}]}""";
            var response = await (await client.PostAsync($"{Model}/infer", new StringContent(json, Encoding.UTF8, "application/json"))).AssertOkJsonAsync();
            var probabilities = Output(response, "probabilities");
            Assert.Equal("FP32", probabilities.GetProperty("datatype").GetString());
            Assert.Equal([2L, 10L], probabilities.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            Assert.Equal(expected.SelectMany(p => p.Probabilities.Values), Floats(probabilities.GetProperty("data")));
            Assert.Equal(expected.Select(p => p.ClassName), Output(response, "class_name").GetProperty("data").EnumerateArray().Select(c => c.GetString()));
        }
    }

    [Fact]
    public async Task The_binary_extensions_example_binary_input_and_binary_outputs_give_the_same_answer_as_json()
    {
        var client = await factory.CreateReadyClientAsync();
        byte[] pixels = Test.Pixels.AsSpan(0, 256 * 784).ToArray();
        // As the extension's example: binary_data_size on the input, binary_data on the outputs.
        string header = $$"""
            {
              "model_name" : "fashion-mnist",
              "inputs" : [ { "name" : "pixels", "shape" : [ 256, 784 ], "datatype" : "UINT8", "parameters" : { "binary_data_size" : {{pixels.Length}} } } ],
              "outputs" : [
                { "name" : "probabilities", "parameters" : { "binary_data" : true } },
                { "name" : "label", "parameters" : { "binary_data" : true } },
                { "name" : "class_name", "parameters" : { "binary_data" : true } }
              ]
            }
            """;
        using var response = await client.PostAsync($"{Model}/infer", BinaryInferRequest.Create(header, pixels));
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var (json, binary) = await BinaryInferRequest.ReadAsync(response);

        var sizes = json.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("parameters").GetProperty("binary_data_size").GetInt32()).ToArray();
        Assert.All(json.GetProperty("outputs").EnumerateArray(), o => Assert.False(o.TryGetProperty("data", out _)));
        Assert.Equal(binary.Length, sizes.Sum());
        var expected = InProcess(0, 256);
        var probabilities = Enumerable.Range(0, 2560).Select(i => BinaryPrimitives.ReadSingleLittleEndian(binary.AsSpan(i * 4))).ToArray();
        Assert.Equal(expected.SelectMany(p => p.Probabilities.Values), probabilities);
        var labels = Enumerable.Range(0, 256).Select(i => BinaryPrimitives.ReadInt64LittleEndian(binary.AsSpan(sizes[0] + i * 8))).ToArray();
        Assert.Equal(expected.Select(p => (long)p.Label), labels);
        var names = new List<string>();
        for (int offset = sizes[0] + sizes[1]; offset < binary.Length;)
        {
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(binary.AsSpan(offset));
            names.Add(Encoding.UTF8.GetString(binary, offset + 4, length));
            offset += 4 + length;
        }
        Assert.Equal(expected.Select(p => p.ClassName), names);

        // binary_data_output on the request asks for every output in binary; binary_data: false on one keeps it JSON.
        string mixed = $$$"""
            {"parameters":{"binary_data_output":true},"inputs":[{"name":"pixels","shape":[256,784],"datatype":"UINT8","parameters":{"binary_data_size":{{{pixels.Length}}}}}],
             "outputs":[{"name":"label","parameters":{"binary_data":false}},{"name":"probabilities"}]}
            """;
        using var second = await client.PostAsync($"{Model}/infer", BinaryInferRequest.Create(mixed, pixels));
        var (mixedJson, mixedBinary) = await BinaryInferRequest.ReadAsync(second);
        Assert.Equal(labels, Output(mixedJson, "label").GetProperty("data").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(binary.AsSpan(0, sizes[0]).ToArray(), mixedBinary);
    }

    [Fact]
    public async Task Images_as_bytes_go_through_the_same_preprocessing_as_predict_in_json_and_binary()
    {
        var client = await factory.CreateReadyClientAsync();
        byte[][] files = [TestData.Png(Test.Image(0)), TestData.Png(Test.Image(1), 28, 28), Photo()];
        var expected = new List<JsonElement>();
        foreach (var file in files)
            expected.Add(await (await client.PostAsync("/predict", ImageContent(file))).AssertOkJsonAsync());

        string json = $$"""{"inputs":[{"name":"image","shape":[3],"datatype":"BYTES","data":[{{string.Join(",", files.Select(f => $"\"{Convert.ToBase64String(f)}\""))}}]}]}""";
        var fromJson = await (await client.PostAsync($"{Model}/infer", new StringContent(json, Encoding.UTF8, "application/json"))).AssertOkJsonAsync();
        byte[] elements = BinaryInferRequest.Elements(files);
        string header = $$$"""{"inputs":[{"name":"image","shape":[3],"datatype":"BYTES","parameters":{"binary_data_size":{{{elements.Length}}}}}]}""";
        // No output asked for in binary: the answer is plain JSON.
        var fromBinary = await (await client.PostAsync($"{Model}/infer", BinaryInferRequest.Create(header, elements))).AssertOkJsonAsync();

        foreach (var response in new[] { fromJson, fromBinary })
        {
            var probabilities = Floats(Output(response, "probabilities").GetProperty("data"));
            for (int i = 0; i < files.Length; i++)
            {
                var predicted = expected[i].GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle());
                Assert.Equal(predicted, probabilities.Skip(i * 10).Take(10));
            }
            Assert.Equal(expected.Select(e => e.GetProperty("className").GetString()),
                Output(response, "class_name").GetProperty("data").EnumerateArray().Select(c => c.GetString()));
        }
    }

    /// <summary>A larger colour JPEG on white, which /predict inverts, crops and resizes.</summary>
    static byte[] Photo()
    {
        using var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(90, 120, SixLabors.ImageSharp.Color.White);
        for (int y = 20; y < 100; y++)
            for (int x = 35; x < 55; x++)
                image[x, y] = SixLabors.ImageSharp.Color.DarkBlue;
        using var stream = new MemoryStream();
        SixLabors.ImageSharp.ImageExtensions.SaveAsJpeg(image, stream);
        return stream.ToArray();
    }

    [Theory]
    [InlineData("/v2/models/other", HttpStatusCode.NotFound, "no model 'other'")]
    [InlineData("/v2/models/other/ready", HttpStatusCode.NotFound, "no model 'other'")]
    [InlineData("/v2/models/fashion-mnist/versions/20200101-000000-000-fused-000000", HttpStatusCode.NotFound, "no version")]
    [InlineData("/v2/models/fashion-mnist/versions/..%2F..%2Fetc/ready", HttpStatusCode.NotFound, "no version")]
    [InlineData("/v2/nothing", HttpStatusCode.NotFound, "no endpoint")]
    public async Task Unknown_models_versions_and_routes_are_404s_with_the_protocols_error(string path, HttpStatusCode status, string detail)
    {
        var client = await factory.CreateReadyClientAsync();
        var problem = await (await client.GetAsync(path)).AssertProblemAsync(status);
        Assert.Contains(detail, problem.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(problem.GetProperty("detail").GetString(), problem.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("""{"inputs":[]}""", "exactly one")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,784],"datatype":"UINT8","data":[1]}]}""", "no input 'x'")]
    [InlineData("""{"inputs":[{"name":"pixels","shape":[1,783],"datatype":"UINT8","data":[1]}]}""", "[N,784]")]
    [InlineData("""{"inputs":[{"name":"pixels","shape":[1,784],"datatype":"INT32","data":[1]}]}""", "UINT8 (0–255) or FP32")]
    [InlineData("""{"inputs":[{"name":"pixels","shape":[1,784],"datatype":"uint8","data":[1]}]}""", "datatype 'uint8'")]
    [InlineData("""{"inputs":[{"name":"pixels","shape":[1,784],"datatype":"UINT8","data":[1,2]}]}""", "needs 784")]
    [InlineData("""{"inputs":[{"name":"pixels","shape":[1,784],"datatype":"UINT8","parameters":{"binary_data_size":784}}]}""", "Inference-Header-Content-Length")]
    [InlineData("""{"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","data":["not base64!"]}]}""", "base64")]
    [InlineData("""{"inputs":[{"name":"image","shape":[2],"datatype":"BYTES","data":["AAAA"]}]}""", "1 elements")]
    [InlineData("""{"inputs":[{"name":"pixels","shape":[0,784],"datatype":"UINT8","data":[]}]}""", "at least 1")]
    [InlineData("""{"inputs":[{"name":"pixels","shape":[1,784],"datatype":"UINT8","data":[1]}],"outputs":[{"name":"logits"}]}""", "no output 'logits'")]
    [InlineData("""{"inputs":[{"name":"pixels","shape":[1,784],"datatype":"UINT8","data":[1]}],"outputs":[{"name":"label"},{"name":"probabilities"},{"name":"label"}]}""", "output 'label' more than once")]
    [InlineData("""{"parameters":{"invert":"sometimes"},"inputs":[{"name":"pixels","shape":[1,784],"datatype":"UINT8","data":[1]}]}""", "invert='sometimes'")]
    [InlineData("""{"inputs":[{"name":"pixels","shape":[1,784],"datatype":"UINT8","data":[1]}]""", "not valid JSON")]
    public async Task A_request_the_model_cannot_take_is_a_400_saying_what_to_send(string json, string detail)
    {
        var client = await factory.CreateReadyClientAsync();
        var problem = await (await client.PostAsync($"{Model}/infer", new StringContent(json, Encoding.UTF8, "application/json")))
            .AssertProblemAsync(HttpStatusCode.BadRequest, detail);
        Assert.Contains(detail, problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Values_out_of_range_are_refused_naming_the_value()
    {
        var client = await factory.CreateReadyClientAsync();
        string Body(string datatype, string value) =>
            $$"""{"inputs":[{"name":"pixels","shape":[1,784],"datatype":"{{datatype}}","data":[{{string.Join(",", Enumerable.Repeat("0", 783))}},{{value}}]}]}""";
        await (await client.PostAsync($"{Model}/infer", new StringContent(Body("UINT8", "256"), Encoding.UTF8, "application/json")))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "Value 783 of input 'pixels' is 256");
        await (await client.PostAsync($"{Model}/infer", new StringContent(Body("UINT8", "1.5"), Encoding.UTF8, "application/json")))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "whole numbers");
        await (await client.PostAsync($"{Model}/infer", new StringContent(Body("FP32", "2"), Encoding.UTF8, "application/json")))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "FP32 pixels are 0–1");
        float[] nan = new float[784];
        nan[5] = float.NaN;
        byte[] raw = nan.SelectMany(BitConverter.GetBytes).ToArray();
        await (await client.PostAsync($"{Model}/infer", BinaryInferRequest.Create(
                """{"inputs":[{"name":"pixels","shape":[1,784],"datatype":"FP32","parameters":{"binary_data_size":3136}}]}""", raw)))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "Value 5 of input 'pixels' is NaN");
    }

    [Fact]
    public async Task Binary_data_that_does_not_add_up_is_refused()
    {
        var client = await factory.CreateReadyClientAsync();
        byte[] pixels = new byte[784];
        string header = """{"inputs":[{"name":"pixels","shape":[1,784],"datatype":"UINT8","parameters":{"binary_data_size":784}}]}""";
        await (await client.PostAsync($"{Model}/infer", BinaryInferRequest.Create(header, pixels[..700])))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "only 700 follow");
        await (await client.PostAsync($"{Model}/infer", BinaryInferRequest.Create(header, pixels, [1, 2, 3])))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "3 bytes follow the JSON");
        var lying = BinaryInferRequest.Create(header, pixels);
        lying.Headers.Remove("Inference-Header-Content-Length");
        lying.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", "999999");
        await (await client.PostAsync($"{Model}/infer", lying)).AssertProblemAsync(HttpStatusCode.BadRequest, "Inference-Header-Content-Length");
        byte[] elements = BinaryInferRequest.Elements([TestData.Png(Test.Image(0))]);
        BinaryPrimitives.WriteUInt32LittleEndian(elements, 1_000_000);
        await (await client.PostAsync($"{Model}/infer", BinaryInferRequest.Create(
                $$$"""{"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","parameters":{"binary_data_size":{{{elements.Length}}}}}]}""", elements)))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "announces 1,000,000 bytes");
    }

    [Fact]
    public async Task More_images_than_a_batch_allows_or_a_body_over_the_limit_is_a_413()
    {
        var client = await factory.CreateReadyClientAsync();
        string header = """{"inputs":[{"name":"pixels","shape":[257,784],"datatype":"UINT8","parameters":{"binary_data_size":201488}}]}""";
        await (await client.PostAsync($"{Model}/infer", BinaryInferRequest.Create(header, new byte[257 * 784])))
            .AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "at most 256");
        int limit = factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OpenInferenceOptions>>().Value.MaxRequestBytes;
        var problem = await (await client.PostAsync($"{Model}/infer", new ByteArrayContent(new byte[limit + 1])))
            .AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, $"{limit:N0} bytes");
        Assert.Contains("limit", problem.GetProperty("error").GetString());
    }
}
