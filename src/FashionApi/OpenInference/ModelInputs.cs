using System.Buffers.Binary;
using FashionApi.Dataset;
using FashionApi.Models;
using FashionApi.Predictions;
using FashionApi.Softmax;
using FashionApi.Hosting;

namespace FashionApi.OpenInference;

/// <summary>
/// The model's two inputs and how each becomes the 0–1 pixels the classifier takes, whatever form the tensor came in:
/// <c>pixels</c>, <c>UINT8</c> (0–255) or <c>FP32</c> (0–1), shape <c>[N,784]</c>, <c>[N,28,28]</c> or
/// <c>[N,1,28,28]</c>; or <c>image</c>, <c>BYTES</c> <c>[N]</c>, each element an encoded image file prepared exactly as
/// <c>POST /predict</c> prepares an upload (<see cref="ImagePreprocessor"/>, within the request's decoding budget).
/// </summary>
public static class ModelInputs
{
    public const string Pixels = "pixels", Image = "image";

    /// <summary>The pixel shapes accepted, as the model metadata lists them (-1: any batch size).</summary>
    public static readonly IReadOnlyList<long[]> PixelShapes = [[-1, FashionMnist.PixelCount], [-1, 28, 28], [-1, 1, 28, 28]];

    /// <summary>Validates <paramref name="tensor"/> as <c>pixels</c> and returns its images scaled to 0–1.</summary>
    public static float[] ToUnitPixels(InputTensor tensor, int maxBatch)
    {
        int count = PixelCount(tensor, maxBatch);
        int values = count * FashionMnist.PixelCount;
        var unit = new float[values];
        switch (tensor.Datatype)
        {
            case TensorDatatype.Uint8 when tensor.Raw is { } raw:
                CheckRawLength(tensor, raw.Length, values);
                SoftmaxClassifier.ScalePixels(raw.Span, unit); // the same scaling as every other route
                break;
            case TensorDatatype.Fp32 when tensor.Raw is { } raw:
                CheckRawLength(tensor, raw.Length, (long)values * sizeof(float));
                var bytes = raw.Span;
                for (int i = 0; i < values; i++)
                    unit[i] = CheckUnit(tensor, i, BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * sizeof(float), sizeof(float))));
                break;
            case TensorDatatype.Uint8 or TensorDatatype.Fp32 when tensor.Numbers is { } numbers:
                if (numbers.Length != values)
                    throw Invalid($"Input '{tensor.Name}' has {numbers.Length:N0} values for shape {Shape(tensor.Shape)}, which needs {values:N0}.");
                bool bytesGiven = tensor.Datatype == TensorDatatype.Uint8;
                for (int i = 0; i < values; i++)
                    unit[i] = bytesGiven ? CheckByte(tensor, i, numbers[i]) / 255f : CheckUnit(tensor, i, numbers[i]);
                break;
            case TensorDatatype.Uint8 or TensorDatatype.Fp32:
                throw Invalid($"Input '{tensor.Name}' carries no data: give 'data', binary data ('binary_data_size') or gRPC contents.");
            default:
                throw Invalid($"Input '{Pixels}' has datatype {tensor.Datatype.Name()}; send UINT8 (0–255) or FP32 (0–1, the values divided by 255).");
        }
        return unit;
    }

    /// <summary>The encoded image files of an <c>image</c> tensor, each checked against <c>MaxImageBytes</c>.</summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>> ImageFiles(InputTensor tensor, int maxBatch, int maxImageBytes)
    {
        if (tensor.Datatype != TensorDatatype.Bytes)
            throw Invalid($"Input '{Image}' has datatype {tensor.Datatype.Name()}; send BYTES, each element an encoded image file.");
        if (tensor.Shape.Length != 1)
            throw Invalid($"Input '{Image}' has shape {Shape(tensor.Shape)}; send [N], one element per image file.");
        int count = BatchSize(tensor, tensor.Shape[0], maxBatch);
        var files = tensor.Raw is { } raw ? SplitElements(tensor, raw, count, maxImageBytes)
            : tensor.Elements ?? throw Invalid($"Input '{Image}' carries no data: give 'data', binary data ('binary_data_size') or gRPC contents.");
        if (files.Count != count)
            throw Invalid($"Input '{Image}' has {files.Count} elements for shape {Shape(tensor.Shape)}.");
        for (int i = 0; i < files.Count; i++)
            if (files[i].Length > maxImageBytes)
                throw new RequestRejectedException(RejectionReason.BodyTooLarge,
                    $"Image {i} of input '{Image}' is {files[i].Length:N0} bytes; the limit is {maxImageBytes:N0} bytes per image.", StatusCodes.Status413PayloadTooLarge);
        return files;
    }

    /// <summary>BYTES in binary form: each element a 4-byte little-endian length, then that many bytes; exactly
    /// <paramref name="count"/> of them filling the data.</summary>
    static List<ReadOnlyMemory<byte>> SplitElements(InputTensor tensor, ReadOnlyMemory<byte> raw, int count, int maxImageBytes)
    {
        var elements = new List<ReadOnlyMemory<byte>>(count);
        int offset = 0;
        while (offset < raw.Length)
        {
            if (elements.Count == count)
                throw Invalid($"Input '{tensor.Name}' has more binary data than its {count} elements (at byte {offset:N0} of {raw.Length:N0}).");
            if (raw.Length - offset < sizeof(uint))
                throw Invalid($"Input '{tensor.Name}' ends inside the 4-byte length of element {elements.Count}.");
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(raw.Span[offset..]);
            offset += sizeof(uint);
            if (length > maxImageBytes)
                throw new RequestRejectedException(RejectionReason.BodyTooLarge,
                    $"Element {elements.Count} of input '{tensor.Name}' is {length:N0} bytes; the limit is {maxImageBytes:N0} bytes per image.", StatusCodes.Status413PayloadTooLarge);
            if (length > raw.Length - offset)
                throw Invalid($"Element {elements.Count} of input '{tensor.Name}' announces {length:N0} bytes but only {raw.Length - offset:N0} follow.");
            elements.Add(raw.Slice(offset, (int)length));
            offset += (int)length;
        }
        return elements;
    }

    /// <summary>The number of images a pixels tensor's shape describes.</summary>
    static int PixelCount(InputTensor tensor, int maxBatch)
    {
        var shape = tensor.Shape;
        bool fits = shape.Length switch
        {
            2 => shape[1] == FashionMnist.PixelCount,
            3 => shape[1] == FashionMnist.ImageSide && shape[2] == FashionMnist.ImageSide,
            4 => shape[1] == 1 && shape[2] == FashionMnist.ImageSide && shape[3] == FashionMnist.ImageSide,
            _ => false,
        };
        if (!fits)
            throw Invalid($"Input '{Pixels}' has shape {Shape(shape)}; send [N,784], [N,28,28] or [N,1,28,28] (28×28 images, row-major).");
        return BatchSize(tensor, shape[0], maxBatch);
    }

    static int BatchSize(InputTensor tensor, long n, int maxBatch)
    {
        if (n < 1)
            throw Invalid($"Input '{tensor.Name}' has shape {Shape(tensor.Shape)}: the batch size must be at least 1.");
        if (n > maxBatch)
            throw new RequestRejectedException(RejectionReason.BatchTooLarge,
                $"Input '{tensor.Name}' holds {n:N0} images; at most {maxBatch} are accepted per request.", StatusCodes.Status413PayloadTooLarge);
        return (int)n;
    }

    static void CheckRawLength(InputTensor tensor, long actual, long expected)
    {
        if (actual != expected)
            throw Invalid($"Input '{tensor.Name}' has {actual:N0} bytes of binary data; {tensor.Datatype.Name()} {Shape(tensor.Shape)} needs {expected:N0}.");
    }

    static float CheckByte(InputTensor tensor, int index, float value) =>
        value is >= 0 and <= 255 && value == MathF.Floor(value)
            ? value
            : throw Invalid($"Value {index} of input '{tensor.Name}' is {value}; UINT8 values are whole numbers 0–255.", RejectionReason.InvalidPixels);

    static float CheckUnit(InputTensor tensor, int index, float value) =>
        value is >= 0 and <= 1 // false for NaN
            ? value
            : throw Invalid($"Value {index} of input '{tensor.Name}' is {value}; FP32 pixels are 0–1 (the 0–255 values divided by 255).", RejectionReason.InvalidPixels);

    public static string Shape(IEnumerable<long> shape) => "[" + string.Join(",", shape.Take(10)) + (shape.Skip(10).Any() ? ",…]" : "]");

    static RequestRejectedException Invalid(string detail, RejectionReason reason = RejectionReason.InvalidTensor) => new(reason, detail);
}
