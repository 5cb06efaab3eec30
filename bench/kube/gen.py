#!/usr/bin/env python3
"""Writes the Kubernetes benchmark's inputs: a cairn blueprint and the same objects as a
kubectl manifest stream, each in its own namespace so both tools can share one emulator.

  gen.py --configmaps N --deployments M --changed K --blueprint FILE --manifests FILE
"""
import argparse
import json


def objects(ns, configmaps, deployments, changed):
    yield {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
    for i in range(configmaps):
        value = "v1-changed" if i < changed else "v1"
        yield {"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": f"cm-{i:05d}", "namespace": ns,
                            "labels": {"app.kubernetes.io/part-of": "bench"}},
               "data": {"index": str(i), "value": value}}
    for i in range(deployments):
        name = f"web-{i:04d}"
        yield {"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": ns},
               "spec": {"replicas": 1,
                        "selector": {"matchLabels": {"app": name}},
                        "template": {"metadata": {"labels": {"app": name}},
                                     "spec": {"containers": [{"name": "web",
                                                              "image": "nginx:1.27",
                                                              "ports": [{"containerPort": 80}]}]}}}}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--configmaps", type=int, default=1000)
    p.add_argument("--deployments", type=int, default=100)
    p.add_argument("--changed", type=int, default=0)
    p.add_argument("--blueprint", required=True)
    p.add_argument("--manifests")
    a = p.parse_args()

    lines = ["secrets:", "  kubeconfig: file:../kubeconfig.yaml",
             "providers:", "  kubernetes:", '    kubeconfig_content: "${secrets.kubeconfig}"',
             "resources:"]
    for obj in objects("bench-cairn", a.configmaps, a.deployments, a.changed):
        name = obj["metadata"]["name"]
        lines.append(f"  kubernetes.object.{name}:")
        lines.append("    manifest: " + json.dumps(obj, sort_keys=True))
        if obj["kind"] != "Namespace":
            lines.append("    depends_on: [kubernetes.object.bench-cairn]")
    with open(a.blueprint, "w") as f:
        f.write("\n".join(lines) + "\n")

    if a.manifests:
        with open(a.manifests, "w") as f:
            for obj in objects("bench-kubectl", a.configmaps, a.deployments, a.changed):
                f.write("---\n" + json.dumps(obj, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
