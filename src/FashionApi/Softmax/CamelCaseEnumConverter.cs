using System.Text.Json;
using System.Text.Json.Serialization;

namespace FashionApi.Softmax;

/// <summary>
/// Every enum in JSON, requests and saved files alike: written as its camelCase name (<c>"scratch"</c>,
/// <c>"cosine"</c>), read from that name in any letter case. Anything else, numbers included, is refused with a
/// message that lists the accepted names, which the 400 for a malformed request body passes on to the client
/// (System.Text.Json's own enum converter says only that the value could not be converted).
/// </summary>
public sealed class CamelCaseEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    /// <summary>The JSON name of an enum value.</summary>
    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum => Converter<TEnum>.NameOf(value);

    /// <summary>The accepted names, comma-separated, in declaration order.</summary>
    public static string AcceptedNames<TEnum>() where TEnum : struct, Enum => string.Join(", ", Converter<TEnum>.ByName.Keys);

    sealed class Converter<TEnum> : JsonConverter<TEnum> where TEnum : struct, Enum
    {
        internal static readonly Dictionary<string, TEnum> ByName =
            Enum.GetValues<TEnum>().ToDictionary(NameOf, StringComparer.OrdinalIgnoreCase);

        internal static string NameOf(TEnum value) => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

        public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String && ByName.TryGetValue(reader.GetString()!, out var value))
                return value;
            string given = reader.TokenType == JsonTokenType.String ? $"'{reader.GetString()}'" : reader.TokenType.ToString().ToLowerInvariant();
            throw new JsonException($"{given} is not a valid {NameOf(typeof(TEnum).Name)}; use one of: {AcceptedNames<TEnum>()}.");
        }

        public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) =>
            writer.WriteStringValue(NameOf(value));

        static string NameOf(string typeName) => JsonNamingPolicy.CamelCase.ConvertName(typeName);
    }
}
