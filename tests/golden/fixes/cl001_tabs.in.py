from capability_client import CapabilityClient, CapabilityError, Capability

client = CapabilityClient()


class Gallery:
	def show(self, user, sticker):
		if sticker:
			capability = client.check(user, sticker)
			return capability.animated
		return False
