"""Hand the person to a human: on the phone the connector transfers the call; elsewhere, say where people are."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

HOTLINE_CHANNEL = "hotline_12368"


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        if tracker.get_latest_input_channel() == HOTLINE_CHANNEL:
            dispatcher.utter_message(text="好的，正在为您转接人工服务，请稍候。")
        else:
            dispatcher.utter_message(
                text="好的，为您转人工。您可以拨打12368诉讼服务热线，或在工作时间到法院诉讼服务中心窗口咨询"
                "（具体时间请以法院公告为准）。"
            )
        # The channel connector reads this to transfer a call or flag the chat for staff.
        dispatcher.utter_message(json_message={"handoff": True})
        # Leave any form that was running, so the conversation starts clean after the handoff.
        if tracker.active_loop_name:
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        return []
