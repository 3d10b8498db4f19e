from . import portal
from . import portal_birthdate
from . import consent
from . import portal_package
from . import feedback
