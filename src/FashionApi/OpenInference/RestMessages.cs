using System.Text.Json;
using System.Text.Json.Serialization;

namespace FashionApi.OpenInference;

// The protocol's REST messages (its "HTTP/REST" document), names in its snake_case.

/// <summary><c>$inference_request</c>: the JSON of <c>POST …/infer</c>, or its header when binary data follows.</summary>
public sealed record RestInferenceRequest(string? Id, Dictionary<string, JsonElement>? Parameters, List<RestRequestInput>? Inputs,
    List<RestRequestOutput>? Outputs);

/// <summary><c>$request_input</c>. <c>data</c> may be nested or flat; BYTES elements are base64 strings.</summary>
public sealed record RestRequestInput(string? Name, long[]? Shape, string? Datatype, Dictionary<string, JsonElement>? Parameters,
    [property: JsonConverter(typeof(TensorDataConverter))] TensorData? Data);

/// <summary><c>$request_output</c>; <c>parameters.binary_data</c> asks for it as binary data.</summary>
public sealed record RestRequestOutput(string? Name, Dictionary<string, JsonElement>? Parameters);

/// <summary><c>$inference_response</c>.</summary>
public sealed record RestInferenceResponse(string ModelName, string ModelVersion, string? Id, IReadOnlyList<RestResponseOutput> Outputs);

/// <summary><c>$response_output</c>: <c>data</c> in JSON, or <c>parameters.binary_data_size</c> bytes after the JSON.</summary>
public sealed record RestResponseOutput(string Name, string Datatype, long[] Shape, RestOutputParameters? Parameters, object? Data);

public sealed record RestOutputParameters(long BinaryDataSize);

/// <summary>The elements of a JSON <c>data</c> array, flattened: numbers, or BYTES elements decoded from base64.</summary>
public sealed record TensorData(float[]? Numbers, IReadOnlyList<ReadOnlyMemory<byte>>? Elements);

/// <summary>Reads <c>data</c> straight into numbers or bytes, however deeply its arrays nest (the reader's depth limit
/// applies), without building a document of it first.</summary>
public sealed class TensorDataConverter : JsonConverter<TensorData>
{
    public override TensorData Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var numbers = new List<float>();
        var elements = new List<ReadOnlyMemory<byte>>();
        if (reader.TokenType != JsonTokenType.StartArray)
            Add(ref reader, numbers, elements); // a single element, not in an array
        else
        {
            int depth = reader.CurrentDepth;
            while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
                if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.EndArray))
                    Add(ref reader, numbers, elements);
        }
        if (numbers.Count > 0 && elements.Count > 0)
            throw new JsonException("'data' mixes numbers and strings.");
        return elements.Count > 0 ? new TensorData(null, elements) : new TensorData(numbers.ToArray(), null);
    }

    static void Add(ref Utf8JsonReader reader, List<float> numbers, List<ReadOnlyMemory<byte>> elements)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                numbers.Add(reader.TryGetSingle(out float value) ? value : throw new JsonException("'data' holds a number that is not a 32-bit float."));
                break;
            case JsonTokenType.True or JsonTokenType.False:
                numbers.Add(reader.GetBoolean() ? 1 : 0);
                break;
            case JsonTokenType.String:
                elements.Add(reader.TryGetBytesFromBase64(out byte[]? bytes) ? bytes
                    : throw new JsonException("'data' holds a string that is not base64; BYTES elements in JSON are base64-encoded."));
                break;
            default:
                throw new JsonException($"'data' holds {reader.TokenType}; it takes numbers, or base64 strings for BYTES, in (nested) arrays.");
        }
    }

    public override void Write(Utf8JsonWriter writer, TensorData value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Tensor data is only read.");
}

/// <summary>Server metadata (<c>GET /v2</c>).</summary>
public sealed record ServerMetadata(string Name, string Version, IReadOnlyList<string> Extensions);

/// <summary>Model metadata (<c>GET /v2/models/{name}[/versions/{version}]</c>).</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Platform">What runs it.</param>
/// <param name="Inputs">The inputs it takes (one per request: pixels or image).</param>
/// <param name="Outputs">The outputs it gives.</param>
/// <param name="Versions">The saved versions, newest first: any of them may be asked for by name.</param>
public sealed record ModelMetadata(string Name, IReadOnlyList<string> Versions, string Platform, IReadOnlyList<TensorMetadata> Inputs,
    IReadOnlyList<TensorMetadata> Outputs);

/// <summary>A tensor's name, datatype and shape; -1 is a dimension of any size.</summary>
public sealed record TensorMetadata(string Name, string Datatype, long[] Shape);

public sealed record ServerLive(bool Live);
public sealed record ServerReady(bool Ready);
public sealed record ModelReady(string Name, bool Ready);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RestInferenceRequest))]
[JsonSerializable(typeof(RestInferenceResponse))]
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(long[]))]
[JsonSerializable(typeof(string[]))]
public sealed partial class OpenInferenceJson : JsonSerializerContext;
