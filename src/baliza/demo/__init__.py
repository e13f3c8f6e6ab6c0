"""A synthetic country in the contract format, with planted anomalies and its ground truth kept apart.

    from baliza.demo import generate_country
    summary = generate_country(Path("country"), seed=1, scale="small")
"""

from baliza.demo.country import GenerationSummary, generate_country

__all__ = ["GenerationSummary", "generate_country"]
