using System.Globalization;
using System.Text.Json;
using FashionApi.Hosting;

namespace FashionApi.OpenInference;

/// <summary>An inference request read from a REST body, and which outputs go back as binary data.</summary>
public sealed record RestInference(InferenceRequest Request, IReadOnlyList<bool> BinaryOutputs);

/// <summary>
/// Reads a REST inference body as the protocol and its binary tensor data extension define it: the whole body is the
/// JSON request, unless <c>Inference-Header-Content-Length</c> says how many leading bytes are; the rest is then the
/// binary data of the inputs that carry a <c>binary_data_size</c> parameter, back to back in input order. The body's
/// Content-Type is not relied on (Triton's clients and curl send different ones).
/// </summary>
public static class RestInferenceParser
{
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    public static RestInference Parse(ReadOnlyMemory<byte> body, string? headerLength, string modelName, string? version)
    {
        int jsonLength = JsonLength(headerLength, body.Length);
        var json = Deserialize(body.Span[..jsonLength]);
        var binary = body[jsonLength..];

        var inputs = new List<InputTensor>();
        int offset = 0;
        foreach (var (input, index) in (json.Inputs ?? throw Invalid("The request has no 'inputs'; send one: 'pixels' or 'image'.")).Select((x, i) => (x, i)))
        {
            string name = input?.Name ?? throw Invalid($"Input {index} has no 'name'.");
            var datatype = TensorDatatypes.Parse(input.Datatype, name);
            long[] shape = input.Shape ?? throw Invalid($"Input '{name}' has no 'shape'.");
            if (shape.Any(d => d < 0)) throw Invalid($"Input '{name}' has shape {ModelInputs.Shape(shape)}; dimensions are never negative.");
            if (Parameter(input.Parameters, "binary_data_size") is { } size)
            {
                long bytes = size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out long n) && n >= 0 ? n
                    : throw Invalid($"Input '{name}': 'binary_data_size' must be a whole number of bytes.");
                if (input.Data is not null) throw Invalid($"Input '{name}' has both 'data' and 'binary_data_size'; send one.");
                if (bytes > binary.Length - offset)
                    throw Invalid(jsonLength == body.Length
                        ? $"Input '{name}' has 'binary_data_size' but the request has no binary data: send the JSON's length in {HeaderLengthHeader}."
                        : $"Input '{name}' announces {bytes:N0} bytes of binary data but only {binary.Length - offset:N0} follow the JSON.");
                inputs.Add(new InputTensor(name, datatype, shape, Raw: binary.Slice(offset, (int)bytes)));
                offset += (int)bytes;
            }
            else
            {
                var data = input.Data ?? throw Invalid($"Input '{name}' has no 'data' (nor 'binary_data_size' for binary data).");
                inputs.Add(new InputTensor(name, datatype, shape, Numbers: data.Numbers, Elements: data.Elements));
            }
        }
        if (offset != binary.Length)
            throw Invalid($"{binary.Length - offset:N0} bytes follow the JSON that no input's 'binary_data_size' accounts for.");

        bool allBinary = Bool(json.Parameters, "binary_data_output", "the request") ?? false;
        var outputs = json.Outputs is { Count: > 0 } asked
            ? OutputNames.ParseRequested(asked.Select(o => o?.Name))
            : OutputNames.All.ToList();
        var binaryOutputs = json.Outputs is { Count: > 0 }
            ? json.Outputs.Select(o => Bool(o!.Parameters, "binary_data", $"output '{o.Name}'") ?? allBinary).ToList()
            : outputs.Select(_ => allBinary).ToList();
        string? invert = Parameter(json.Parameters, "invert") is { } value
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetRawText()
            : throw Invalid("The 'invert' parameter is auto, true or false.")
            : null;
        return new RestInference(new InferenceRequest(modelName, version, json.Id, inputs, outputs, invert), binaryOutputs);
    }

    static int JsonLength(string? header, int bodyLength)
    {
        if (header is null) return bodyLength;
        if (!int.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out int length) || length > bodyLength || length == 0)
            throw Invalid($"{HeaderLengthHeader} is '{(header.Length > 40 ? header[..40] + "…" : header)}'; it must be the JSON's length in bytes, 1–{bodyLength:N0} (the body's length).");
        return length;
    }

    static RestInferenceRequest Deserialize(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, OpenInferenceJson.Default.RestInferenceRequest)
                   ?? throw new RequestRejectedException(RejectionReason.InvalidJson, "The inference request is null.");
        }
        catch (JsonException e)
        {
            throw new RequestRejectedException(RejectionReason.InvalidJson, $"The inference request is not valid JSON for the protocol: {e.Message}", inner: e);
        }
    }

    static JsonElement? Parameter(Dictionary<string, JsonElement>? parameters, string name) =>
        parameters is not null && parameters.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    static bool? Bool(Dictionary<string, JsonElement>? parameters, string name, string owner) => Parameter(parameters, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw Invalid($"The '{name}' parameter of {owner} must be true or false."),
    };

    static RequestRejectedException Invalid(string detail) => new(RejectionReason.InvalidTensor, detail);
}
