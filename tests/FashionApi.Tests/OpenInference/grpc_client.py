"""A cross-check with a gRPC stack the project did not write: Debian's python3-grpcio, with stubs that
grpc_tools.protoc (python3-grpc-tools) generates here from the protocol's .proto. Prints what the server said as JSON.

usage: grpc_client.py PROTO_DIR OUT_DIR ADDRESS PIXELS_FILE COUNT
  PIXELS_FILE holds COUNT 28x28 images as raw bytes, sent as one UINT8 [COUNT,784] tensor in raw_input_contents."""
import json
import struct
import sys

from grpc_tools import protoc

proto_dir, out_dir, address, pixels_file, count = sys.argv[1:6]
count = int(count)
if protoc.main(["protoc", f"-I{proto_dir}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}", "open_inference_grpc.proto"]) != 0:
    sys.exit("protoc failed")
sys.path.insert(0, out_dir)

import grpc  # noqa: E402
import open_inference_grpc_pb2 as pb  # noqa: E402
import open_inference_grpc_pb2_grpc as rpc  # noqa: E402

with grpc.insecure_channel(address) as channel:
    stub = rpc.GRPCInferenceServiceStub(channel)
    server = stub.ServerMetadata(pb.ServerMetadataRequest())
    model = stub.ModelMetadata(pb.ModelMetadataRequest(name="fashion-mnist"))

    request = pb.ModelInferRequest(model_name="fashion-mnist", id="python")
    tensor = request.inputs.add()
    tensor.name, tensor.datatype = "pixels", "UINT8"
    tensor.shape.extend([count, 784])
    with open(pixels_file, "rb") as f:
        request.raw_input_contents.append(f.read())
    response = stub.ModelInfer(request)
    names = [o.name for o in response.outputs]
    probabilities = struct.unpack(f"<{count * 10}f", response.raw_output_contents[names.index("probabilities")])
    labels = struct.unpack(f"<{count}q", response.raw_output_contents[names.index("label")])

    try:
        stub.ModelInfer(pb.ModelInferRequest(model_name="no-such-model"))
        unknown = "OK"
    except grpc.RpcError as e:
        unknown = e.code().name

print(json.dumps({
    "extensions": list(server.extensions),
    "versions": list(model.versions),
    "id": response.id,
    "model_version": response.model_version,
    "labels": list(labels),
    "probabilities": list(probabilities),
    "unknown_model": unknown,
}))
