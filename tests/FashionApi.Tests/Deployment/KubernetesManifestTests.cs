using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text.RegularExpressions;
using FashionApi.Hosting;
using FashionApi.Tests.Docker;
using FashionApi.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;
using static FashionApi.Tests.Deployment.KubernetesManifests;

namespace FashionApi.Tests.Deployment;

/// <summary>deploy/kubernetes cannot be applied here (no cluster), so these check it against the application and the
/// Dockerfile: what the manifests ask of the app (paths, ports, settings, images, the volume) must exist.</summary>
public class KubernetesManifestTests
{
    const string Serve = "fashionapi-serve", Trainer = "fashionapi-trainer";
    readonly KubernetesManifests manifests = KubernetesManifests.Load();
    readonly DockerfileModel dockerfile = DockerfileModel.Load();

    IEnumerable<YamlMappingNode> Deployments => manifests.OfKind("Deployment");

    [Fact]
    public void The_kustomization_lists_every_manifest_in_the_folder()
    {
        var listed = Sequence(manifests.Kustomization, "resources").Select(Text).Order();
        var present = System.IO.Directory.GetFiles(KubernetesManifests.Directory, "*.yaml").Select(Path.GetFileName)
            .Where(f => f != "kustomization.yaml").Order();
        Assert.Equal(present, listed);
    }

    [Fact]
    public async Task Probe_paths_exist_on_the_container_port_the_image_listens_on()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        string imagePort = Docker.DockerfileTests.HttpPort(dockerfile.RuntimeEnvironment);
        string grpcPort = Docker.DockerfileTests.GrpcPort(dockerfile.RuntimeEnvironment);
        foreach (var deployment in Deployments)
        {
            var container = Container(deployment);
            // REST and gRPC as the image serves them, and the metrics port, which alone serves /metrics.
            var ports = Sequence(container, "ports").Cast<YamlMappingNode>().ToDictionary(p => Text(p, "name"), p => Text(p, "containerPort"));
            Assert.Equal(new Dictionary<string, string> { ["http"] = imagePort, ["grpc"] = grpcPort, ["metrics"] = Env(container)["FashionApi__MetricsPort"] }, ports);
            Assert.EndsWith($":{ports["metrics"]}", Env(container)["Kestrel__Endpoints__Metrics__Url"]);
            var port = HttpPort(container);
            foreach (string probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
            {
                Assert.Equal(Text(port, "name"), Text(container, probe, "httpGet", "port"));
                string path = Text(container, probe, "httpGet", "path");
                var response = await client.GetAsync(path);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{probe} of {Text(deployment, "metadata", "name")}: GET {path} answered {(int)response.StatusCode}");
            }
            Assert.Equal("/health/ready", Text(container, "readinessProbe", "httpGet", "path"));
            Assert.Equal("/health/live", Text(container, "livenessProbe", "httpGet", "path"));
        }
    }

    [Fact]
    public void Every_FashionApi_variable_names_a_real_option_with_a_valid_value()
    {
        var secret = manifests.Generated("Secret", "fashionapi-api-key");
        foreach (var deployment in Deployments)
        {
            var settings = new Dictionary<string, string?>();
            foreach (var variable in Sequence(Container(deployment), "env"))
            {
                string name = Text(variable, "name");
                if (!name.StartsWith("FashionApi__")) continue;
                string key = name["FashionApi__".Length..];
                string option = key.Split("__")[0]; // TrustedProxies__0: an array's first entry
                Assert.True(typeof(FashionApiOptions).GetProperty(option) is not null, $"{name} names no option of FashionApiOptions");
                settings[$"FashionApi:{key.Replace("__", ":")}"] = Find(variable, "value") is { } value
                    ? Text(value)
                    : System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Map(secret, "data")[Text(variable, "valueFrom", "secretKeyRef", "key")]));
            }
            var options = new ConfigurationBuilder().AddInMemoryCollection(settings).Build()
                .GetSection(FashionApiOptions.Section).Get<FashionApiOptions>(o => o.ErrorOnUnknownConfiguration = true)!;
            var errors = new List<ValidationResult>();
            Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true),
                $"{Text(deployment, "metadata", "name")}: {string.Join("; ", errors.Select(e => e.ErrorMessage))}");
            var rules = new FashionApiOptions.SettingRules().Validate(null, options);
            Assert.True(rules.Succeeded, $"{Text(deployment, "metadata", "name")}: {rules.FailureMessage}");
        }
    }

    [Fact]
    public void Roles_images_and_Dockerfile_targets_agree()
    {
        var images = Sequence(manifests.Kustomization, "images").ToDictionary(i => Text(i, "name"), i => $"{Text(i, "newName")}:{Text(i, "newTag")}");
        var expected = new Dictionary<string, (string Image, string Stage, InstanceRole Role)>
        {
            [Serve] = ("fashionapi-serve", "serve", InstanceRole.Serve),
            [Trainer] = ("fashionapi", "runtime", InstanceRole.Train),
        };
        foreach (var (name, (image, stage, role)) in expected)
        {
            var container = Container(manifests.Get("Deployment", name));
            Assert.Equal(images[image], Text(container, "image")); // the name the manifests use, set by kustomize's images:
            Assert.Contains(stage, dockerfile.StageNames);
            Assert.Equal(role.ToString(), Env(container)["FashionApi__Role"], ignoreCase: true);
            // The image's own role, where it sets one, is the same.
            if (dockerfile.EnvironmentOf(stage).TryGetValue("FashionApi__Role", out string? imageRole))
                Assert.Equal(role.ToString(), imageRole, ignoreCase: true);
        }
        Assert.Equal("runtime", dockerfile.StageNames[^1]); // fashionapi is the default target
    }

    [Fact]
    public void The_model_volume_is_a_ReadWriteMany_claim_mounted_at_the_model_directory_read_only_on_replicas()
    {
        var claim = manifests.Get("PersistentVolumeClaim", "fashionapi-models");
        Assert.Contains("ReadWriteMany", Sequence(claim, "spec", "accessModes").Select(Text));
        foreach (var deployment in Deployments)
        {
            var container = Container(deployment);
            var volume = Assert.Single(Sequence(deployment, "spec", "template", "spec", "volumes"), v => Find(v, "persistentVolumeClaim") is not null);
            Assert.Equal("fashionapi-models", Text(volume, "persistentVolumeClaim", "claimName"));
            var mount = Assert.Single(Sequence(container, "volumeMounts"), m => Text(m, "name") == Text(volume, "name"));
            Assert.Equal(Env(container)["FashionApi__ModelDirectory"], Text(mount, "mountPath"));
            Assert.Equal(dockerfile.RuntimeEnvironment["FashionApi__ModelDirectory"], Text(mount, "mountPath"));
            bool serves = Env(container)["FashionApi__Role"] == "serve";
            Assert.Equal(serves, Find(mount, "readOnly") is { } readOnly && Text(readOnly) == "true");
        }
    }

    [Fact]
    public void Pods_run_as_the_image_user_non_root_read_only_without_capabilities_with_limits()
    {
        string imageUser = dockerfile.SingleRuntime("USER").Arguments;
        foreach (var deployment in Deployments)
        {
            var pod = Node(deployment, "spec", "template", "spec");
            var container = Container(deployment);
            Assert.Equal("true", Text(pod, "securityContext", "runAsNonRoot"));
            Assert.Equal(imageUser, Text(pod, "securityContext", "runAsUser"));
            Assert.Equal("true", Text(container, "securityContext", "readOnlyRootFilesystem"));
            Assert.Equal("false", Text(container, "securityContext", "allowPrivilegeEscalation"));
            Assert.Equal(["ALL"], Sequence(container, "securityContext", "capabilities", "drop").Select(Text));
            Assert.Contains(Sequence(container, "volumeMounts"), m => Text(m, "mountPath") == "/tmp");
            foreach (string kind in new[] { "requests", "limits" })
            foreach (string resource in new[] { "cpu", "memory" })
                Assert.False(string.IsNullOrEmpty(Text(container, "resources", kind, resource)));
        }
    }

    [Fact]
    public void Replicas_scale_and_one_trainer_is_recreated_never_doubled()
    {
        var serve = manifests.Get("Deployment", Serve);
        var trainer = manifests.Get("Deployment", Trainer);
        Assert.Null(Find(serve, "spec", "replicas")); // the HPA's to set: a value here would reset it on every apply
        Assert.Equal("1", Text(trainer, "spec", "replicas"));
        Assert.Equal("Recreate", Text(trainer, "spec", "strategy", "type"));

        var servePods = Map(serve, "spec", "template", "metadata", "labels");
        Assert.Equal(Map(serve, "spec", "selector", "matchLabels"), servePods);
        AssertSelects(Map(manifests.Get("PodDisruptionBudget", Serve), "spec", "selector", "matchLabels"), servePods);
        var hpa = manifests.Get("HorizontalPodAutoscaler", Serve);
        Assert.Equal(Serve, Text(hpa, "spec", "scaleTargetRef", "name"));
        Assert.Equal("3", Text(hpa, "spec", "minReplicas"));

        foreach (var deployment in new[] { serve, trainer })
        {
            string name = Text(deployment, "metadata", "name");
            var service = manifests.Get("Service", name);
            var pods = Map(deployment, "spec", "template", "metadata", "labels");
            AssertSelects(Map(service, "spec", "selector"), pods);
            Assert.False(Map(manifests.Get("Deployment", name == Serve ? Trainer : Serve), "spec", "template", "metadata", "labels")
                .All(label => Map(service, "spec", "selector").TryGetValue(label.Key, out var v) && v == label.Value), $"Service {name} also selects the other pods");
            // REST and gRPC reachable through the Service by name; the metrics port is scraped from the pods, in-cluster.
            var portNames = Sequence(Container(deployment), "ports").Select(p => Text(p, "name")).Where(n => n != "metrics").Order();
            Assert.Equal(portNames, Sequence(service, "spec", "ports").Select(p => Text(p, "targetPort")).Order());
        }
    }

    [Fact]
    public void The_ingress_sends_training_activation_and_samples_to_the_trainer_and_the_rest_to_the_replicas()
    {
        var paths = Sequence(Assert.Single(Sequence(manifests.Get("Ingress", "fashionapi"), "spec", "rules")), "http", "paths")
            .Select(p => (Path: Text(p, "path"), Type: Text(p, "pathType"), Service: Text(p, "backend", "service", "name"))).ToList();
        foreach (var path in paths) manifests.Get("Service", path.Service);

        string Route(string request) => paths
            .Where(p => p.Type == "Prefix" ? request == p.Path || request.StartsWith(p.Path.TrimEnd('/') + "/") || p.Path == "/"
                                          : Regex.IsMatch(request, $"^{p.Path}$"))
            .OrderByDescending(p => p.Type == "ImplementationSpecific").ThenByDescending(p => p.Path.Length).First().Service;

        Assert.Equal(Trainer, Route("/train"));
        Assert.Equal(Trainer, Route("/train/3f2a9c1b7d4e"));
        Assert.Equal(Trainer, Route("/train/3f2a9c1b7d4e/events"));
        Assert.Equal(Trainer, Route("/models/20261201-040000-123-scratch-abcdef/activate"));
        Assert.Equal(Trainer, Route("/samples")); // the serve image has no dataset to browse
        Assert.Equal(Trainer, Route("/samples/42.png"));
        foreach (string read in new[] { "/predict", "/predict/batch", "/model", "/models", "/models/20261201-040000-123-scratch-abcdef", "/status", "/health/ready", "/" })
            Assert.Equal(Serve, Route(read));
    }

    [Fact]
    public void The_trainer_takes_its_API_key_from_the_Secret()
    {
        var key = Assert.Single(Sequence(Container(manifests.Get("Deployment", Trainer)), "env"), v => Text(v, "name") == "FashionApi__ApiKey");
        string secretName = Text(key, "valueFrom", "secretKeyRef", "name");
        var data = Map(manifests.Get("Secret", secretName), "data");
        Assert.Equal(KubernetesManifests.RenderedKey, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data[Text(key, "valueFrom", "secretKeyRef", "key")])));
        Assert.Null(Find(key, "value"));
    }

    static YamlMappingNode HttpPort(YamlMappingNode container) =>
        Assert.IsType<YamlMappingNode>(Assert.Single(Sequence(container, "ports"), p => Text(p, "name") == "http"));

    static Dictionary<string, string> Env(YamlMappingNode container) =>
        Sequence(container, "env").Where(v => Find(v, "value") is not null).ToDictionary(v => Text(v, "name"), v => Text(v, "value"));

    static void AssertSelects(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        Assert.All(selector, pair => Assert.Equal(pair.Value, labels.GetValueOrDefault(pair.Key)));
}
