using System.Net;
using FashionApi.Tests.Docker;
using FashionApi.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;
using static FashionApi.Tests.Deployment.KubernetesManifests;

namespace FashionApi.Tests.Deployment;

/// <summary>The KServe example (deploy/kserve) asks of the image only what it has: its ports, the protocol's routes,
/// the model name it configures.</summary>
public class KServeTests
{
    static readonly string FilePath = Path.Combine(DockerfileModel.RepositoryRoot, "deploy", "kserve", "inferenceservice.yaml");

    static Dictionary<string, YamlMappingNode> Documents()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(FilePath)) stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToDictionary(d => Text(d, "kind"));
    }

    [Fact]
    public async Task The_runtime_speaks_v2_on_the_images_two_ports_and_its_probes_and_model_name_exist()
    {
        var documents = Documents();
        Assert.Equal(["InferenceService", "ServingRuntime"], documents.Keys.Order());
        var runtime = documents["ServingRuntime"];
        var service = documents["InferenceService"];
        Assert.Equal("serving.kserve.io/v1alpha1", Text(runtime, "apiVersion"));
        Assert.Equal("serving.kserve.io/v1beta1", Text(service, "apiVersion"));

        Assert.Equal("v2", Text(service, "spec", "predictor", "model", "protocolVersion"));
        Assert.Equal(Text(runtime, "metadata", "name"), Text(service, "spec", "predictor", "model", "runtime"));
        Assert.Equal(Text(Assert.Single(Sequence(runtime, "spec", "supportedModelFormats")), "name"), Text(service, "spec", "predictor", "model", "modelFormat", "name"));
        Assert.Equal(["grpc-v2", "v2"], Sequence(runtime, "spec", "protocolVersions").Select(Text).Order());
        // Several ports need RawDeployment (Knative allows one).
        Assert.Equal("RawDeployment", Map(service, "metadata", "annotations")["serving.kserve.io/deploymentMode"]);

        var container = Assert.Single(Sequence(runtime, "spec", "containers"));
        var dockerfile = DockerfileModel.Load();
        Assert.Equal("kserve-container", Text(container, "name"));
        Assert.Equal("fashionapi", Text(container, "image")); // the all-in-one image, as the Kubernetes manifests name it
        var ports = Sequence(container, "ports").ToDictionary(p => Text(p, "name"), p => Text(p, "containerPort"));
        // KServe tells HTTP/2 (gRPC) from HTTP/1 by these port names.
        Assert.Equal(new Dictionary<string, string>
        {
            ["http1"] = DockerfileTests.HttpPort(dockerfile.RuntimeEnvironment),
            ["h2c"] = DockerfileTests.GrpcPort(dockerfile.RuntimeEnvironment),
        }, ports);

        var environment = Sequence(container, "env").ToDictionary(e => Text(e, "name"), e => Text(e, "value"));
        string modelName = environment["OpenInference__ModelName"];
        Assert.Equal(Text(service, "metadata", "name"), modelName);

        using var factory = new FashionApiFactory(seedModel: true, new() { ["OpenInference:ModelName"] = modelName });
        var client = await factory.CreateReadyClientAsync();
        foreach (string probe in new[] { "readinessProbe", "livenessProbe" })
        {
            Assert.Equal(ports["http1"], Text(container, probe, "httpGet", "port"));
            var response = await client.GetAsync(Text(container, probe, "httpGet", "path"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v2/models/{modelName}/ready")).StatusCode);
    }
}
