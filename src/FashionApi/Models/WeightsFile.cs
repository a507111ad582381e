using System.Buffers.Binary;
using System.Runtime.InteropServices;
using FashionApi.Softmax;

namespace FashionApi.Models;

/// <summary>
/// The one place that knows the weights file format: the ASCII magic "FMSR", format version (uint32), inputs (uint32),
/// outputs (uint32), then outputs×inputs weights and outputs biases as little-endian float32. Integrity is checked
/// by the manifest's SHA-256, not here.
/// </summary>
public static class WeightsFile
{
    static ReadOnlySpan<byte> Magic => "FMSR"u8;
    const uint FormatVersion = 1;
    const int HeaderLength = 16;

    public static byte[] Serialize(ModelWeights weights)
    {
        var bytes = new byte[HeaderLength + sizeof(float) * (weights.Weight.Length + weights.Bias.Length)];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), ModelWeights.Inputs);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), ModelWeights.Outputs);
        var floats = bytes.AsSpan(HeaderLength);
        WriteFloats(weights.Weight, floats);
        WriteFloats(weights.Bias, floats[(sizeof(float) * weights.Weight.Length)..]);
        return bytes;
    }

    public static ModelWeights Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderLength || !bytes[..4].SequenceEqual(Magic))
            throw new InvalidDataException("not a FashionApi weights file (bad magic).");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        uint inputs = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        uint outputs = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        if (version != FormatVersion || inputs != ModelWeights.Inputs || outputs != ModelWeights.Outputs)
            throw new InvalidDataException($"unsupported weights file (format {version}, {inputs}→{outputs}).");
        int expected = HeaderLength + sizeof(float) * ModelWeights.Outputs * (ModelWeights.Inputs + 1);
        if (bytes.Length != expected)
            throw new InvalidDataException($"weights file is {bytes.Length} bytes, expected {expected}.");
        var floats = bytes[HeaderLength..];
        var weight = ReadFloats(floats, ModelWeights.Inputs * ModelWeights.Outputs);
        var bias = ReadFloats(floats[(sizeof(float) * weight.Length)..], ModelWeights.Outputs);
        return new ModelWeights(weight, bias).Validate();
    }

    static void WriteFloats(float[] values, Span<byte> target)
    {
        if (BitConverter.IsLittleEndian)
            MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(target);
        else
            for (int i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(target[(4 * i)..], values[i]);
    }

    static float[] ReadFloats(ReadOnlySpan<byte> source, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
        return values;
    }
}
