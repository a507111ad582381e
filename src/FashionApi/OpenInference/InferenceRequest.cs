namespace FashionApi.OpenInference;

/// <summary>One input tensor as a client sent it, over REST or gRPC, before it is interpreted. Its elements are in
/// exactly one of three forms.</summary>
/// <param name="Name">The tensor's name: <c>pixels</c> or <c>image</c>.</param>
/// <param name="Datatype">Its elements' type.</param>
/// <param name="Shape">Its shape, batch first.</param>
/// <param name="Raw">Binary: the binary tensor data extension's bytes or gRPC's <c>raw_input_contents</c>. Little-endian,
/// row-major; for BYTES each element is a 4-byte little-endian length and then its bytes. A slice of the request's own
/// buffer, never a copy.</param>
/// <param name="Numbers">Typed numbers: JSON <c>data</c> (flattened) or gRPC's <c>uint_contents</c>/<c>fp32_contents</c>.</param>
/// <param name="Elements">Typed BYTES elements: JSON base64 strings (decoded) or gRPC's <c>bytes_contents</c>.</param>
public sealed record InputTensor(string Name, TensorDatatype Datatype, long[] Shape,
    ReadOnlyMemory<byte>? Raw = null, float[]? Numbers = null, IReadOnlyList<ReadOnlyMemory<byte>>? Elements = null);

/// <summary>The model's outputs, in the order they are returned when a request names none.</summary>
public enum OutputName { Probabilities, Label, ClassName }

/// <summary>An inference request of either transport, with what it asks for resolved.</summary>
/// <param name="ModelName">The model named in the route or message.</param>
/// <param name="ModelVersion">The version asked for; null for the active one.</param>
/// <param name="Id">The request's id, echoed in the response.</param>
/// <param name="Inputs">The input tensors (the model takes one).</param>
/// <param name="Outputs">The outputs asked for, in the order asked; all of them when the request named none.</param>
/// <param name="Invert">The <c>invert</c> parameter for images: auto (default), true or false, as for <c>/predict</c>.</param>
public sealed record InferenceRequest(string ModelName, string? ModelVersion, string? Id, IReadOnlyList<InputTensor> Inputs,
    IReadOnlyList<OutputName> Outputs, string? Invert);

public static class OutputNames
{
    public static readonly IReadOnlyList<OutputName> All = Enum.GetValues<OutputName>();

    /// <summary>The protocol name: probabilities, label, class_name.</summary>
    public static string Name(this OutputName output) => output switch
    {
        OutputName.Probabilities => "probabilities",
        OutputName.Label => "label",
        _ => "class_name",
    };

    public static TensorDatatype Datatype(this OutputName output) => output switch
    {
        OutputName.Probabilities => TensorDatatype.Fp32,
        OutputName.Label => TensorDatatype.Int64,
        _ => TensorDatatype.Bytes,
    };

    /// <summary>Reads the outputs a request names, in its order. Each may be named once: the answer's size must follow
    /// from the inputs, not from how often a client repeats a name.</summary>
    public static List<OutputName> ParseRequested(IEnumerable<string?> names)
    {
        var outputs = new List<OutputName>(All.Count);
        foreach (var name in names)
        {
            var output = Parse(name);
            if (outputs.Contains(output))
                throw new Hosting.RequestRejectedException(Hosting.RejectionReason.InvalidTensor,
                    $"The request names output '{name}' more than once; name each output at most once.");
            outputs.Add(output);
        }
        return outputs;
    }

    /// <summary>Reads a requested output's name.</summary>
    public static OutputName Parse(string? name) =>
        All.FirstOrDefault(o => o.Name() == name) is var output && output.Name() == name
            ? output
            : throw new Hosting.RequestRejectedException(Hosting.RejectionReason.InvalidTensor,
                $"The model has no output '{name ?? "(none)"}'; its outputs are {string.Join(", ", All.Select(o => o.Name()))}.");
}
