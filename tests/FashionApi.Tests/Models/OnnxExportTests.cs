using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FashionApi.Dataset;
using FashionApi.Softmax;
using FashionApi.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;

namespace FashionApi.Tests.Models;

/// <summary><c>GET /models/{version}/onnx</c>, checked with runtimes the project did not write: ONNX Runtime runs the
/// download, and ONNX's own checker (Debian's python3-onnx) validates it against the specification.</summary>
public class OnnxExportTests(FashionApiFactory factory) : IClassFixture<FashionApiFactory>
{
    async Task<byte[]> DownloadAsync(string version)
    {
        var client = await factory.CreateReadyClientAsync();
        var response = await client.GetAsync($"/models/{version}/onnx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/onnx", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"fashion-mnist-{version}.onnx", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Contains("immutable", response.Headers.CacheControl?.ToString());
        return await response.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task Onnx_runtime_gives_the_services_labels_and_probabilities_within_1e_5_on_all_10000_test_images()
    {
        string version = factory.SeedVersion!;
        using var session = new InferenceSession(await DownloadAsync(version));

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("pixels", input.Key);
        Assert.Equal(typeof(float), input.Value.ElementType);
        Assert.Equal([-1, 784], input.Value.Dimensions); // the batch dimension is free
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal("probabilities", output.Key);
        Assert.Equal(typeof(float), output.Value.ElementType);
        Assert.Equal([-1, 10], output.Value.Dimensions);

        // The service's own forward pass, on the weights the store holds for this version.
        var (manifest, weights) = TestStores.Create(factory.ModelDirectory).Load(version);
        var test = TestData.FashionMnist.Test;
        float[] pixels = SoftmaxClassifier.ScalePixels(test.Pixels);
        float[] expected = new SoftmaxClassifier(weights).Probabilities(pixels);

        float[] actual = Run(session, pixels, test.Count);
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0;
        int worstAt = 0, sameLabel = 0, correct = 0;
        for (int i = 0; i < test.Count; i++)
        {
            var want = expected.AsSpan(i * 10, 10);
            var got = actual.AsSpan(i * 10, 10);
            for (int c = 0; c < 10; c++)
                if (MathF.Abs(want[c] - got[c]) is var difference && difference > worst) (worst, worstAt) = (difference, i);
            int label = SoftmaxClassifier.ArgMax(got);
            if (label == SoftmaxClassifier.ArgMax(want)) sameLabel++;
            if (label == test.Labels[i]) correct++;
        }
        Assert.True(worst <= 1e-5f, $"image {worstAt}: a probability differs by {worst:E2}");
        Assert.Equal(test.Count, sameLabel);
        // And so the saved evaluation holds for the exported model too.
        Assert.Equal(manifest.Evaluation.TestAccuracy, (double)correct / test.Count, 12);

        // One image alone (batch size 1) gets the same probabilities as inside the batch of 10,000.
        float[] alone = Run(session, pixels.AsSpan(0, 784).ToArray(), 1);
        for (int c = 0; c < 10; c++) Assert.Equal(expected[c], alone[c], 1e-5f);
    }

    static float[] Run(InferenceSession session, float[] pixels, int count)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, [count, 784]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["pixels"], [input], ["probabilities"]);
        Assert.Equal([count, 10], results[0].GetTensorTypeAndShape().Shape);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    [Fact]
    public async Task The_model_carries_its_version_classes_accuracy_and_provenance_as_metadata()
    {
        string version = factory.SeedVersion!;
        using var session = new InferenceSession(await DownloadAsync(version));
        var manifest = TestStores.Create(factory.ModelDirectory).Manifest(version);

        var metadata = session.ModelMetadata;
        Assert.Equal("FashionApi", metadata.ProducerName);
        Assert.Contains(version, metadata.Description);
        var properties = metadata.CustomMetadataMap;
        Assert.Equal(version, properties["version"]);
        Assert.Equal(FashionMnist.ClassNames, JsonSerializer.Deserialize<string[]>(properties["classes"]));
        Assert.Equal(manifest.Evaluation.TestAccuracy, double.Parse(properties["test_accuracy"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("fused", properties["implementation"]);
        Assert.Equal(manifest.CreatedAt, DateTimeOffset.Parse(properties["created_at"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(manifest.WeightsSha256, properties["weights_sha256"]);
        Assert.Equal(manifest.DatasetSha256, properties["dataset_sha256"]);
        Assert.Equal("byte / 255", properties["input_scaling"]);
    }

    [Fact]
    public async Task Onnx_own_checker_accepts_the_model_with_opset_13_and_full_shape_inference()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "model.onnx");
        await File.WriteAllBytesAsync(path, await DownloadAsync(factory.SeedVersion!));

        // Debian's python3-onnx (scripts/install-prerequisites.sh --test), by absolute path: a python3 earlier on PATH
        // (pyenv, a virtualenv) would not see Debian's packages.
        const string script = """
            import sys, onnx
            model = onnx.load(sys.argv[1])
            onnx.checker.check_model(model, full_check=True)
            inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
            print(model.ir_version, [(o.domain, o.version) for o in model.opset_import],
                  [d.dim_param or d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim])
            """;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "-c", script, path }) start.ArgumentList.Add(argument);
        using var python = Process.Start(start)!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(python.ExitCode == 0, $"onnx.checker refused the model: {await stderr}");
        Assert.Equal("7 [('', 13)] ['batch', 10]", (await stdout).Trim());
    }

    [Fact]
    public async Task An_unknown_version_is_a_404_and_a_damaged_one_a_409_like_the_other_version_routes()
    {
        var client = await factory.CreateReadyClientAsync();
        await (await client.GetAsync("/models/20990101-nope/onnx")).AssertProblemAsync(HttpStatusCode.NotFound, "GET /models");
        await (await client.GetAsync("/models/..%2F..%2Fetc/onnx")).AssertProblemAsync(HttpStatusCode.NotFound, "GET /models");

        // A second version, saved but not activated, so the active model of the shared service stays as it is.
        string damaged = TestStores.Create(factory.ModelDirectory).Save(TestData.SeedModel, TestData.FashionMnist.ContentSha256, jobId: null).Version;
        string weights = Path.Combine(factory.ModelDirectory, "versions", damaged, "weights.bin");
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);
        await (await client.GetAsync($"/models/{damaged}/onnx")).AssertProblemAsync(HttpStatusCode.Conflict, "checksum");
    }
}
