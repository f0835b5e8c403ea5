"""The lineage a SageMaker model package states: what made it, from which data.

A package names the job that produced it (``MetadataProperties.GeneratedBy``: a pipeline
execution or a training job ARN) and, through customer metadata or validation specs, the data
it was trained on. Each becomes a node: the producing job a run (``produced`` edge to the
version), a pipeline execution also an instance of its pipeline (a job), and every ``s3://``
data source a dataset read by that run, named as OpenLineage names S3 objects (namespace
``s3://bucket``, name the key) so the same object joins other sources' lineage.
"""

from __future__ import annotations

import re

from governance_app.domain.cloud import VersionOrigin
from governance_app.domain.lineage import (
    EdgeKind,
    LineageEdge,
    LineageGraph,
    LineageNode,
    NodeKind,
    canonical_node_id,
    model_version_id,
)

_ARN = re.compile(r"arn:aws[\w-]*:sagemaker:(?P<region>[^:]*):(?P<account>[^:]*):(?P<res>.+)\Z")
_S3 = re.compile(r"(?P<ns>s3://[^/]+)/(?P<key>.+)\Z")


def lineage_of(origins: list[VersionOrigin]) -> LineageGraph:
    """Runs, pipelines and data sources of the packages, joined to their versions."""
    graph = LineageGraph()
    for origin in origins:
        producer = str(origin.details.get("training_job") or "")
        match = _ARN.match(producer)
        if match is None:
            continue
        namespace = f"sagemaker://{match['region']}/{match['account']}"
        run_id = f"{NodeKind.RUN.value}:{producer}"
        graph.add_node(LineageNode(run_id, NodeKind.RUN, match["res"], namespace,
                                   facets={"sagemaker": {"arn": producer}}))
        pipeline = re.match(r"pipeline/(?P<name>[^/]+)/execution/", match["res"])
        if pipeline is not None:
            job_id = canonical_node_id(namespace, pipeline["name"], NodeKind.JOB)
            graph.add_node(LineageNode(job_id, NodeKind.JOB, pipeline["name"], namespace))
            graph.add_edge(LineageEdge(job_id, run_id, EdgeKind.INSTANCE.value))
        version_id = model_version_id(origin.model_name, origin.version)
        graph.add_node(LineageNode(version_id, NodeKind.MODEL_VERSION,
                                   f"{origin.model_name}/{origin.version}"))
        graph.add_edge(LineageEdge(run_id, version_id, EdgeKind.PRODUCED.value))
        for uri in origin.details.get("data_sources", []):
            s3 = _S3.match(str(uri))
            if s3 is None:
                continue
            data_id = canonical_node_id(s3["ns"], s3["key"], NodeKind.DATASET, None)
            graph.add_node(LineageNode(data_id, NodeKind.DATASET, s3["key"], s3["ns"]))
            graph.add_edge(LineageEdge(data_id, run_id, EdgeKind.INPUT.value))
    return graph
