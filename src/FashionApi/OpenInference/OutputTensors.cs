using System.Buffers.Binary;
using System.Text;
using FashionApi.Dataset;

namespace FashionApi.OpenInference;

/// <summary>The model's outputs for one result, as the protocol lays them out: <c>probabilities</c> FP32
/// <c>[N,10]</c>, <c>label</c> INT64 <c>[N]</c>, <c>class_name</c> BYTES <c>[N]</c>. One encoder for REST's binary
/// data and gRPC's raw contents.</summary>
public static class OutputTensors
{
    /// <summary>The class names as UTF-8, made once.</summary>
    static readonly byte[][] ClassNamesUtf8 = FashionMnist.ClassNames.Select(Encoding.UTF8.GetBytes).ToArray();

    public static readonly IReadOnlyList<TensorMetadata> Metadata =
        OutputNames.All.Select(o => new TensorMetadata(o.Name(), o.Datatype().Name(), Shape(o, -1))).ToList();

    public static long[] Shape(OutputName output, long count) =>
        output == OutputName.Probabilities ? [count, FashionMnist.ClassCount] : [count];

    /// <summary>Little-endian, row-major; BYTES elements each as a 4-byte length and the UTF-8 name.</summary>
    public static byte[] Raw(OutputName output, InferenceResult result)
    {
        switch (output)
        {
            case OutputName.Probabilities:
                var probabilities = new byte[result.Probabilities.Length * sizeof(float)];
                for (int i = 0; i < result.Probabilities.Length; i++)
                    BinaryPrimitives.WriteSingleLittleEndian(probabilities.AsSpan(i * sizeof(float)), result.Probabilities[i]);
                return probabilities;
            case OutputName.Label:
                var labels = new byte[result.Count * sizeof(long)];
                for (int i = 0; i < result.Count; i++)
                    BinaryPrimitives.WriteInt64LittleEndian(labels.AsSpan(i * sizeof(long)), result.Label(i));
                return labels;
            default:
                int length = 0;
                for (int i = 0; i < result.Count; i++) length += sizeof(uint) + ClassNamesUtf8[result.Label(i)].Length;
                var names = new byte[length];
                for (int i = 0, offset = 0; i < result.Count; i++)
                {
                    var name = ClassNamesUtf8[result.Label(i)];
                    BinaryPrimitives.WriteUInt32LittleEndian(names.AsSpan(offset), (uint)name.Length);
                    name.CopyTo(names.AsSpan(offset + sizeof(uint)));
                    offset += sizeof(uint) + name.Length;
                }
                return names;
        }
    }

    public static long[] Labels(InferenceResult result) => Enumerable.Range(0, result.Count).Select(i => (long)result.Label(i)).ToArray();

    public static string[] ClassNames(InferenceResult result) => Enumerable.Range(0, result.Count).Select(i => FashionMnist.ClassNames[result.Label(i)]).ToArray();

    public static byte[] ClassNameUtf8(int label) => ClassNamesUtf8[label];
}
