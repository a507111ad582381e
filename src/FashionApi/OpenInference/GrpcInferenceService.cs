using FashionApi.Models;
using FashionApi.Predictions;
using FashionApi.Softmax;
using Google.Protobuf;
using Grpc.Core;
using Inference;

namespace FashionApi.OpenInference;

/// <summary>
/// The Open Inference Protocol over gRPC (<c>inference.GRPCInferenceService</c>, from the protocol's own .proto): the
/// same model, inputs, outputs and limits as the REST routes, through the same <see cref="InferenceRunner"/>. Outputs
/// come back in <c>raw_output_contents</c> when the request sent <c>raw_input_contents</c>, as typed contents
/// otherwise. Refusals become status codes in <see cref="GrpcRejections"/>.
/// </summary>
sealed class GrpcInferenceService(ServedVersions versions, InferenceRunner runner, ActiveModel active) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = active.Current is not null });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        try
        {
            versions.Resolve(request.Name, request.Version);
            return Task.FromResult(new ModelReadyResponse { Ready = true });
        }
        catch (ModelNotReadyException)
        {
            return Task.FromResult(new ModelReadyResponse { Ready = false });
        }
    }

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var server = OpenInferenceEndpoints.Server;
        return Task.FromResult(new ServerMetadataResponse { Name = server.Name, Version = server.Version, Extensions = { server.Extensions } });
    }

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var metadata = OpenInferenceEndpoints.Metadata(request.Name, request.Version, versions);
        return Task.FromResult(new ModelMetadataResponse
        {
            Name = metadata.Name,
            Versions = { metadata.Versions },
            Platform = metadata.Platform,
            Inputs = { metadata.Inputs.Select(Tensor) },
            Outputs = { metadata.Outputs.Select(Tensor) },
        });
    }

    static ModelMetadataResponse.Types.TensorMetadata Tensor(TensorMetadata tensor) =>
        new() { Name = tensor.Name, Datatype = tensor.Datatype, Shape = { tensor.Shape } };

    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        bool raw = request.RawInputContents.Count > 0;
        var inference = GrpcTensors.Request(request);
        var result = runner.Run(inference, context.GetHttpContext());
        var response = new ModelInferResponse { ModelName = versions.ModelName, ModelVersion = result.Model.Manifest.Version, Id = request.Id };
        foreach (var output in inference.Outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor
            {
                Name = output.Name(), Datatype = output.Datatype().Name(), Shape = { OutputTensors.Shape(output, result.Count) },
            };
            if (raw)
                // The encoder's array is handed over, not copied: nothing else holds it.
                response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(OutputTensors.Raw(output, result)));
            else
                tensor.Contents = GrpcTensors.Contents(output, result);
            response.Outputs.Add(tensor);
        }
        return Task.FromResult(response);
    }
}
