using System.Globalization;
using System.Reflection;
using System.Text.Json;
using FashionApi.Dataset;
using FashionApi.Softmax;
using Google.Protobuf;
using Onnx;

namespace FashionApi.Models;

/// <summary>
/// A saved version as an ONNX model: <c>probabilities = Softmax(Gemm(pixels, weight, bias, transB=1), axis=1)</c>, the
/// same computation as <see cref="SoftmaxClassifier"/>. The model is built as ONNX's own protobuf messages
/// (classes generated from the vendored <c>Onnx/onnx.proto3</c>) and written by Google.Protobuf.
/// </summary>
public static class OnnxExport
{
    public const string InputName = "pixels";
    public const string OutputName = "probabilities";
    public const string ContentType = "application/onnx";

    /// <summary>Opset 13 (ONNX 1.8) is the first whose Softmax normalises one axis alone, as the service does; every
    /// runtime of the last years loads it. IR version 7 is the one that came with it.</summary>
    const long Opset = 13;
    const long IrVersion = (long)global::Onnx.Version.IrVersion202058;

    static readonly string ProducerVersion =
        typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";

    public static byte[] Serialize(ModelManifest manifest, ModelWeights weights) => Build(manifest, weights).ToByteArray();

    /// <summary>The name a download of <paramref name="version"/> is saved under.</summary>
    public static string FileName(string version) => $"fashion-mnist-{version}.onnx";

    static ModelProto Build(ModelManifest manifest, ModelWeights weights)
    {
        weights.Validate();
        var graph = new GraphProto
        {
            Name = "fashion_mnist_softmax_regression",
            DocString = "Softmax regression over a 28×28 grayscale image flattened row-major to 784 pixels scaled to 0–1 " +
                        "(byte / 255). probabilities[n, c] is the probability of class c (metadata 'classes' names them).",
            Input = { Tensor(InputName, "Images, one per row: 784 pixels each, row-major, scaled to 0–1 (byte / 255).", ModelWeights.Inputs) },
            Output = { Tensor(OutputName, "Each image's probability for each of the 10 classes (each row sums to 1).", ModelWeights.Outputs) },
            Initializer =
            {
                Constant("weight", [ModelWeights.Outputs, ModelWeights.Inputs], weights.Weight),
                Constant("bias", [ModelWeights.Outputs], weights.Bias),
            },
            Node =
            {
                // transB: the weight is stored as nn.Linear stores it, one row of 784 per class, so logits = x·Wᵀ + b.
                new NodeProto
                {
                    Name = "linear", OpType = "Gemm", Input = { InputName, "weight", "bias" }, Output = { "logits" },
                    Attribute = { new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 } },
                },
                new NodeProto
                {
                    Name = "softmax", OpType = "Softmax", Input = { "logits" }, Output = { OutputName },
                    Attribute = { new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 } },
                },
            },
        };
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = Opset } },
            ProducerName = "FashionApi",
            ProducerVersion = ProducerVersion,
            DocString = $"Fashion-MNIST classifier, saved version {manifest.Version} of FashionApi " +
                        $"(test accuracy {manifest.Evaluation.TestAccuracy.ToString("0.####", CultureInfo.InvariantCulture)}).",
            Graph = graph,
        };
        foreach (var (key, value) in Metadata(manifest))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>What a user of the file wants to know without asking the service; numbers in invariant culture,
    /// lists as JSON.</summary>
    static IEnumerable<(string Key, string Value)> Metadata(ModelManifest manifest)
    {
        yield return ("version", manifest.Version);
        yield return ("classes", JsonSerializer.Serialize(FashionMnist.ClassNames));
        yield return ("test_accuracy", manifest.Evaluation.TestAccuracy.ToString(CultureInfo.InvariantCulture));
        yield return ("implementation", CamelCaseEnumConverter.Name(manifest.Implementation));
        if (manifest.Preset is { } preset) yield return ("preset", preset);
        yield return ("created_at", manifest.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        yield return ("input_scaling", "byte / 255");
        yield return ("dataset_sha256", manifest.DatasetSha256);
        yield return ("weights_sha256", manifest.WeightsSha256);
    }

    /// <summary>A float32 tensor of shape [batch, <paramref name="width"/>]; the batch dimension is left free.</summary>
    static ValueInfoProto Tensor(string name, string doc, int width) => new()
    {
        Name = name,
        DocString = doc,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)TensorProto.Types.DataType.Float,
                Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = "batch" }, new TensorShapeProto.Types.Dimension { DimValue = width } } },
            },
        },
    };

    static TensorProto Constant(string name, long[] dims, float[] values) => new()
    {
        Name = name,
        DataType = (int)TensorProto.Types.DataType.Float,
        Dims = { dims },
        FloatData = { values },
    };
}
