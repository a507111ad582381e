using FashionApi.Hosting;

namespace FashionApi.OpenInference;

/// <summary>The protocol's tensor data types (its "Tensor Data Types" table); the wire names are these in capitals.</summary>
public enum TensorDatatype { Bool, Uint8, Uint16, Uint32, Uint64, Int8, Int16, Int32, Int64, Fp16, Fp32, Fp64, Bytes }

public static class TensorDatatypes
{
    static readonly Dictionary<string, TensorDatatype> ByName =
        Enum.GetValues<TensorDatatype>().ToDictionary(Name, StringComparer.Ordinal);

    /// <summary>The protocol's name: <c>UINT8</c>, <c>FP32</c>, <c>BYTES</c>…</summary>
    public static string Name(this TensorDatatype datatype) => datatype.ToString().ToUpperInvariant();

    /// <summary>Reads a datatype as the protocol spells it (upper case, as Triton and KServe require).</summary>
    public static TensorDatatype Parse(string? name, string tensor) =>
        name is not null && ByName.TryGetValue(name, out var datatype)
            ? datatype
            : throw new RequestRejectedException(RejectionReason.InvalidTensor,
                $"Input '{tensor}' has datatype '{name ?? "(none)"}'; the protocol's datatypes are {string.Join(", ", ByName.Keys)}.");
}
