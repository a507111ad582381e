using System.Diagnostics;
using FashionApi.Tests.Docker;
using YamlDotNet.RepresentationModel;
using static FashionApi.Tests.Deployment.KubernetesManifests;

namespace FashionApi.Tests.Deployment;

/// <summary>What a platform reviewer looks for in the rendered base: no committed secret, TLS, nothing internal
/// published, a storage class and the RWX claim, volumes the image's user can write (or a clear failure), pinned images,
/// no replica count fighting the HPA, spread, probes sized for the CPU limits, graceful drain, a namespace and a
/// NetworkPolicy.</summary>
public class KubernetesBaseTests
{
    const string Serve = "fashionapi-serve", Trainer = "fashionapi-trainer", Namespace = "fashionapi";
    readonly KubernetesManifests manifests = KubernetesManifests.Load();

    IEnumerable<YamlMappingNode> Deployments => manifests.OfKind("Deployment");

    [Fact]
    public void No_secret_is_committed_the_key_is_generated_from_an_ignored_file_and_no_placeholder_remains()
    {
        var sources = System.IO.Directory.GetFiles(KubernetesManifests.Directory, "*.yaml").Select(File.ReadAllText).ToList();
        Assert.DoesNotContain(sources, s => s.Contains("kind: Secret"));
        Assert.DoesNotContain(sources, s => s.Contains("change-me", StringComparison.OrdinalIgnoreCase));
        var generator = Assert.Single(Sequence(manifests.Kustomization, "secretGenerator"));
        string file = Text(Assert.Single(Sequence(generator, "files"))).Split('=')[1];
        var ignored = Process.Start(new ProcessStartInfo("git", ["check-ignore", "-q", Path.Combine(KubernetesManifests.Directory, file)])
            { WorkingDirectory = DockerfileModel.RepositoryRoot })!;
        ignored.WaitForExit();
        Assert.True(ignored.ExitCode == 0, $"deploy/kubernetes/{file} is not ignored by git: a key put there could be committed");
        // The Secret's name carries its content's hash, so pods restart with a rotated key.
        Assert.Matches($"^{Text(generator, "name")}-[a-z0-9]{{10}}$", Text(Assert.Single(manifests.OfKind("Secret")), "metadata", "name"));
    }

    [Fact]
    public void The_ingress_is_https_only_with_a_certificate_and_publishes_neither_metrics_nor_swagger()
    {
        var ingress = manifests.Get("Ingress", "fashionapi");
        string host = Text(Assert.Single(Sequence(ingress, "spec", "rules")), "host");
        var tls = Assert.Single(Sequence(ingress, "spec", "tls"));
        Assert.Equal([host], Sequence(tls, "hosts").Select(Text));
        Assert.False(string.IsNullOrEmpty(Text(tls, "secretName")));
        var annotations = Map(ingress, "metadata", "annotations");
        Assert.False(string.IsNullOrEmpty(annotations["cert-manager.io/cluster-issuer"]));
        Assert.Equal("true", annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"]);
        Assert.DoesNotContain("from-params-yaml", Rendered(ingress));

        // Every path reaches the Services' http port only; the pods answer /metrics on their metrics port alone and
        // serve no Swagger.
        foreach (var service in manifests.OfKind("Service"))
            Assert.DoesNotContain("metrics", Sequence(service, "spec", "ports").Select(p => Text(p, "targetPort")));
        Assert.All(Sequence(Assert.Single(Sequence(ingress, "spec", "rules")), "http", "paths"),
            path => Assert.Equal("http", Text(path, "backend", "service", "port", "name")));
        foreach (var deployment in Deployments)
        {
            var env = Env(Container(deployment));
            Assert.Equal("false", env["FashionApi__SwaggerEnabled"]);
            Assert.NotEqual("8080", env["FashionApi__MetricsPort"]);
        }
    }

    [Fact]
    public void The_claim_names_a_storage_class_and_the_trainer_can_write_the_volume_or_stops_saying_why()
    {
        var claim = manifests.Get("PersistentVolumeClaim", "fashionapi-models");
        Assert.Equal(["ReadWriteMany"], Sequence(claim, "spec", "accessModes").Select(Text));
        Assert.False(string.IsNullOrEmpty(Text(claim, "spec", "storageClassName")));

        var trainer = manifests.Get("Deployment", Trainer);
        var pod = Node(trainer, "spec", "template", "spec");
        Assert.Equal(Text(pod, "securityContext", "runAsGroup"), Text(pod, "securityContext", "fsGroup"));
        var check = Assert.IsType<YamlMappingNode>(Assert.Single(Sequence(pod, "initContainers")));
        Assert.Equal(Text(Container(trainer), "image"), Text(check, "image"));
        Assert.Contains(Sequence(check, "volumeMounts"), m => Text(m, "mountPath") == "/app/data/models" && Find(m, "readOnly") is null);
        Assert.Contains("not writable", string.Join(' ', Sequence(check, "command").Select(Text)));
        Assert.Equal("false", Text(check, "securityContext", "allowPrivilegeEscalation"));
        Assert.Null(Find(check, "securityContext", "runAsUser")); // the pod's non-root user: no root init step
    }

    [Fact]
    public void Images_carry_a_registry_and_one_pinned_tag_set_by_kustomize()
    {
        var images = Deployments.SelectMany(d => Sequence(d, "spec", "template", "spec", "containers")
            .Concat(Find(d, "spec", "template", "spec", "initContainers") is YamlSequenceNode init ? init.Children : []))
            .Select(c => Text(c, "image")).ToList();
        var tags = images.Select(image => image.Split(':')).ToList();
        Assert.All(tags, parts => Assert.Equal(2, parts.Length));
        Assert.All(tags, parts => Assert.Contains('/', parts[0])); // a registry, not a bare name a node resolves by chance
        Assert.Single(tags.Select(parts => parts[1]).Distinct());
        Assert.DoesNotContain("latest", tags.Select(parts => parts[1]));
        foreach (var entry in Sequence(manifests.Kustomization, "images"))
            Assert.False(string.IsNullOrEmpty(Text(entry, "newTag")));
    }

    [Fact]
    public void Replicas_spread_probes_allow_for_the_cpu_limit_and_pods_drain_before_they_stop()
    {
        var serve = manifests.Get("Deployment", Serve);
        var spread = Sequence(serve, "spec", "template", "spec", "topologySpreadConstraints");
        Assert.Contains(spread, c => Text(c, "topologyKey") == "kubernetes.io/hostname");
        Assert.Contains(spread, c => Text(c, "topologyKey") == "topology.kubernetes.io/zone");
        Assert.All(spread, c => Assert.Equal(Map(serve, "spec", "selector", "matchLabels"), Map(c, "labelSelector", "matchLabels")));

        foreach (var deployment in Deployments)
        {
            var container = Container(deployment);
            foreach (string probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
                Assert.True(int.Parse(Text(container, probe, "timeoutSeconds")) >= 3, $"{probe} of {Text(deployment, "metadata", "name")}");
            var preStop = Sequence(container, "lifecycle", "preStop", "exec", "command").Select(Text).ToList();
            Assert.Equal("sleep", preStop[0]);
            int grace = int.Parse(Text(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds"));
            Assert.True(grace >= int.Parse(preStop[1]) + 20, "the host needs time to drain after the preStop delay");
        }
    }

    [Fact]
    public void Everything_lives_in_a_restricted_namespace_behind_a_network_policy()
    {
        var ns = manifests.Get("Namespace", Namespace);
        Assert.Equal("restricted", Map(ns, "metadata", "labels")["pod-security.kubernetes.io/enforce"]);
        foreach (var resource in manifests.Resources.Where(r => Text(r, "kind") != "Namespace"))
            Assert.Equal(Namespace, Text(resource, "metadata", "namespace"));

        var policy = Assert.Single(manifests.OfKind("NetworkPolicy"));
        var selected = Map(policy, "spec", "podSelector", "matchLabels");
        foreach (var deployment in Deployments)
        {
            var labels = Map(deployment, "spec", "template", "metadata", "labels");
            Assert.All(selected, pair => Assert.Equal(pair.Value, labels.GetValueOrDefault(pair.Key)));
        }
        Assert.Equal(["Ingress", "Egress"], Sequence(policy, "spec", "policyTypes").Select(Text));
        var allowed = Sequence(policy, "spec", "ingress")
            .SelectMany(rule => Sequence(rule, "ports").Select(port => (Port: Text(port, "port"),
                From: Map(Assert.Single(Sequence(rule, "from")), "namespaceSelector", "matchLabels")["kubernetes.io/metadata.name"])))
            .ToDictionary(p => p.Port, p => p.From);
        Assert.Equal(new Dictionary<string, string> { ["http"] = "ingress-nginx", ["grpc"] = "ingress-nginx", ["metrics"] = "monitoring" }, allowed);
    }

    static string Rendered(YamlNode node)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    static Dictionary<string, string> Env(YamlMappingNode container) =>
        Sequence(container, "env").Where(v => Find(v, "value") is not null).ToDictionary(v => Text(v, "name"), v => Text(v, "value"));
}
