using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace FashionApi.OpenInference;

/// <summary>
/// Writes an inference response: all JSON, or — when any output is asked for as binary data — the JSON header
/// followed by those outputs' bytes in the order they are listed, with <c>Inference-Header-Content-Length</c> giving the
/// header's length (the binary tensor data extension).
/// </summary>
public sealed class InferenceHttpResult(InferenceResult result, RestInference inference, string modelName) : IResult, IEndpointMetadataProvider
{
    public async Task ExecuteAsync(HttpContext http)
    {
        var request = inference.Request;
        var binary = new List<byte[]>();
        var outputs = new List<RestResponseOutput>(request.Outputs.Count);
        for (int i = 0; i < request.Outputs.Count; i++)
        {
            var output = request.Outputs[i];
            long[] shape = OutputTensors.Shape(output, result.Count);
            if (inference.BinaryOutputs[i])
            {
                byte[] raw = OutputTensors.Raw(output, result);
                binary.Add(raw);
                outputs.Add(new RestResponseOutput(output.Name(), output.Datatype().Name(), shape, new RestOutputParameters(raw.Length), null));
            }
            else
                outputs.Add(new RestResponseOutput(output.Name(), output.Datatype().Name(), shape, null, output switch
                {
                    OutputName.Probabilities => result.Probabilities,
                    OutputName.Label => OutputTensors.Labels(result),
                    _ => OutputTensors.ClassNames(result),
                }));
        }
        byte[] header = JsonSerializer.SerializeToUtf8Bytes(
            new RestInferenceResponse(modelName, result.Model.Manifest.Version, request.Id, outputs), OpenInferenceJson.Default.RestInferenceResponse);

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentLength = header.Length + binary.Sum(b => (long)b.Length);
        if (binary.Count == 0)
            response.ContentType = "application/json";
        else
        {
            response.ContentType = "application/octet-stream";
            response.Headers[RestInferenceParser.HeaderLengthHeader] = header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        await response.Body.WriteAsync(header, http.RequestAborted);
        foreach (var bytes in binary)
            await response.Body.WriteAsync(bytes, http.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(RestInferenceResponse),
            ["application/json", "application/octet-stream"]));
}
