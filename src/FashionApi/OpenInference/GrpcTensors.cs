using FashionApi.Hosting;
using Google.Protobuf;
using Inference;

namespace FashionApi.OpenInference;

/// <summary>gRPC's messages to and from the transport-neutral <see cref="InferenceRequest"/> and result.</summary>
static class GrpcTensors
{
    public static InferenceRequest Request(ModelInferRequest request)
    {
        bool raw = request.RawInputContents.Count > 0;
        if (raw && request.RawInputContents.Count != request.Inputs.Count)
            throw Invalid($"The request has {request.Inputs.Count} inputs but {request.RawInputContents.Count} raw_input_contents; give one per input, in order.");
        var inputs = new List<InputTensor>(request.Inputs.Count);
        for (int i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            var datatype = TensorDatatypes.Parse(input.Datatype, input.Name);
            long[] shape = input.Shape.ToArray();
            if (shape.Any(d => d < 0)) throw Invalid($"Input '{input.Name}' has shape {ModelInputs.Shape(shape)}; dimensions are never negative.");
            if (raw)
            {
                if (input.Contents is not null)
                    throw Invalid($"Input '{input.Name}' has contents although the request uses raw_input_contents; use one or the other.");
                inputs.Add(new InputTensor(input.Name, datatype, shape, Raw: request.RawInputContents[i].Memory));
            }
            else
            {
                var contents = input.Contents;
                inputs.Add(datatype switch
                {
                    TensorDatatype.Uint8 when contents is { UintContents.Count: > 0 } => new InputTensor(input.Name, datatype, shape,
                        Numbers: contents.UintContents.Select(v => (float)v).ToArray()),
                    TensorDatatype.Fp32 when contents is { Fp32Contents.Count: > 0 } => new InputTensor(input.Name, datatype, shape, Numbers: contents.Fp32Contents.ToArray()),
                    TensorDatatype.Bytes when contents is { BytesContents.Count: > 0 } => new InputTensor(input.Name, datatype, shape,
                        Elements: contents.BytesContents.Select(b => b.Memory).ToList()),
                    _ => new InputTensor(input.Name, datatype, shape), // refused with what to send by ModelInputs
                });
            }
        }
        var outputs = request.Outputs.Count > 0 ? OutputNames.ParseRequested(request.Outputs.Select(o => o.Name)) : OutputNames.All.ToList();
        string? invert = request.Parameters.TryGetValue("invert", out var parameter)
            ? parameter.ParameterChoiceCase switch
            {
                InferParameter.ParameterChoiceOneofCase.StringParam => parameter.StringParam,
                InferParameter.ParameterChoiceOneofCase.BoolParam => parameter.BoolParam ? "true" : "false",
                _ => throw Invalid("The 'invert' parameter is a string (auto, true or false) or a bool."),
            }
            : null;
        return new InferenceRequest(request.ModelName, request.ModelVersion, request.Id, inputs, outputs, invert);
    }

    public static InferTensorContents Contents(OutputName output, InferenceResult result) => output switch
    {
        OutputName.Probabilities => new InferTensorContents { Fp32Contents = { result.Probabilities } },
        OutputName.Label => new InferTensorContents { Int64Contents = { OutputTensors.Labels(result) } },
        _ => new InferTensorContents { BytesContents = { Enumerable.Range(0, result.Count).Select(i => ByteString.CopyFrom(OutputTensors.ClassNameUtf8(result.Label(i)))) } },
    };

    static RequestRejectedException Invalid(string detail) => new(RejectionReason.InvalidTensor, detail);
}
