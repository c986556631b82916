"""Product recommendation: hybrid ranking (item-item, Surprise SVD, content, popularity),
the pipeline stage, order-export import and offline evaluation."""

from app.recommend.recommender import HybridRecommender, RecommendResult, Weights
from app.recommend.stage import RecommendationStage, build_recommender

__all__ = ["HybridRecommender", "RecommendResult", "RecommendationStage", "Weights",
           "build_recommender"]
