from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "xiezuo.synth"
    verbose_name = "合成数据"
