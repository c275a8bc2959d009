"""What the webhooks API reads and answers."""
from rest_framework import serializers

from edu_portal.common.events import EVENT_TYPES

from ..models import Attempt, Delivery, DeliveryStatus, Subscription

TYPES_HELP = "Một hoặc nhiều trong: " + ", ".join(EVENT_TYPES)


class SubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subscription
        fields = ["id", "url", "event_types", "description", "active", "created_at", "updated_at"]


class SubscriptionWithSecretSerializer(SubscriptionSerializer):
    """Answered once, when the secret is made (creation, rotation): the receiver's key for the signature."""

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]


class SubscriptionCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text="https://… (http chỉ tới máy nội bộ trong dev/test)")
    event_types = serializers.ListField(child=serializers.CharField(max_length=40), min_length=1, max_length=20,
                                        help_text=TYPES_HELP)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    active = serializers.BooleanField(required=False, default=True)


class SubscriptionUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, required=False)
    event_types = serializers.ListField(child=serializers.CharField(max_length=40), min_length=1, max_length=20,
                                        required=False, help_text=TYPES_HELP)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)
    rotate_secret = serializers.BooleanField(required=False, help_text="true: cấp khoá bí mật mới (trả về một lần)")


class EventSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uid")
    type = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    data = serializers.JSONField()


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["number", "started_at", "status_code", "duration_ms", "error"]


class DeliverySerializer(serializers.ModelSerializer):
    event = EventSerializer()
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)

    class Meta:
        model = Delivery
        fields = ["id", "subscription", "event", "status", "attempts", "last_status_code", "last_error",
                  "next_attempt_at", "created_at", "finished_at", "replay_of"]


class DeliveryDetailSerializer(DeliverySerializer):
    attempt_log = AttemptSerializer(many=True)

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "attempt_log"]


class DeliveryPageSerializer(serializers.Serializer):
    results = DeliverySerializer(many=True)
    next = serializers.CharField(allow_null=True)
