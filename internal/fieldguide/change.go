package fieldguide

import (
	"context"
	"reflect"
	"slices"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
)

// errUnchanged refuses a change that would say what the item already says:
// a version is a decision, and a decision to change nothing is a mistake.
func errUnchanged() error { return apperr.New(apperr.Invalid, "error.fieldguide.unchanged") }

func errNotFound() error { return apperr.New(apperr.NotFound, "error.not_found") }

// AddPlace adds a local place to the field guide.
func (s *Service) AddPlace(ctx context.Context, actor access.Actor, in PlaceInput) (Place, error) {
	if err := s.authorize(ctx, actor, subjectType(KindPlace), ""); err != nil {
		return Place{}, err
	}
	if err := in.check(); err != nil {
		return Place{}, err
	}
	id := newID()
	after, err := s.commit(ctx, actor, func(Local) (version, error) {
		return version{kind: KindPlace, id: id, action: Added, note: in.Note, place: &in.PlaceText}, nil
	})
	if err != nil {
		return Place{}, err
	}
	p, _ := after.Place(id)
	return p, nil
}

// ChangePlace gives a current local place new texts.
func (s *Service) ChangePlace(ctx context.Context, actor access.Actor, id string, in PlaceInput) (Place, error) {
	if err := s.authorize(ctx, actor, subjectType(KindPlace), id); err != nil {
		return Place{}, err
	}
	if err := in.check(); err != nil {
		return Place{}, err
	}
	after, err := s.commit(ctx, actor, func(cur Local) (version, error) {
		p, ok := cur.Place(id)
		if !ok {
			return version{}, errNotFound()
		}
		if reflect.DeepEqual(p.PlaceText, in.PlaceText) {
			return version{}, errUnchanged()
		}
		return version{kind: KindPlace, id: id, action: Changed, note: in.Note, place: &in.PlaceText}, nil
	})
	if err != nil {
		return Place{}, err
	}
	p, _ := after.Place(id)
	return p, nil
}

// AddSign adds a local sign. A sign that names a catalogue question counts
// through it; one that names none is shown and recorded only.
func (s *Service) AddSign(ctx context.Context, actor access.Actor, in SignInput) (Sign, error) {
	if err := s.authorize(ctx, actor, subjectType(KindSign), ""); err != nil {
		return Sign{}, err
	}
	if err := in.check(s.catalogue); err != nil {
		return Sign{}, err
	}
	id := newID()
	after, err := s.commit(ctx, actor, func(cur Local) (version, error) {
		if err := s.checkSignPlace(cur, in.PlaceID); err != nil {
			return version{}, err
		}
		return version{kind: KindSign, id: id, action: Added, note: in.Note, sign: &in.SignText}, nil
	})
	if err != nil {
		return Sign{}, err
	}
	g, _ := after.Sign(id)
	return g, nil
}

// ChangeSign gives a current local sign new texts, question or place.
func (s *Service) ChangeSign(ctx context.Context, actor access.Actor, id string, in SignInput) (Sign, error) {
	if err := s.authorize(ctx, actor, subjectType(KindSign), id); err != nil {
		return Sign{}, err
	}
	if err := in.check(s.catalogue); err != nil {
		return Sign{}, err
	}
	after, err := s.commit(ctx, actor, func(cur Local) (version, error) {
		g, ok := cur.Sign(id)
		if !ok {
			return version{}, errNotFound()
		}
		if err := s.checkSignPlace(cur, in.PlaceID); err != nil {
			return version{}, err
		}
		if reflect.DeepEqual(g.SignText, in.SignText) {
			return version{}, errUnchanged()
		}
		return version{kind: KindSign, id: id, action: Changed, note: in.Note, sign: &in.SignText}, nil
	})
	if err != nil {
		return Sign{}, err
	}
	g, _ := after.Sign(id)
	return g, nil
}

// checkSignPlace checks that a sign's place is a place of the catalogue or
// a current local place.
func (s *Service) checkSignPlace(cur Local, placeID string) error {
	if placeID == "" || cataloguePlace(s.catalogue, placeID) {
		return nil
	}
	if _, ok := cur.Place(placeID); ok {
		return nil
	}
	return apperr.Validation(apperr.FieldError{Field: "place", Key: "error.fieldguide.unknown_place"})
}

// MarkQuestion marks a catalogue question as locally relevant, with the
// reason in the note; a question already marked gets the new reason.
func (s *Service) MarkQuestion(ctx context.Context, actor access.Actor, in MarkInput) (Mark, error) {
	if err := s.authorize(ctx, actor, subjectType(KindMark), in.QuestionID); err != nil {
		return Mark{}, err
	}
	if err := in.check(s.catalogue); err != nil {
		return Mark{}, err
	}
	after, err := s.commit(ctx, actor, func(cur Local) (version, error) {
		action := Added
		if m, ok := cur.Mark(in.QuestionID); ok {
			if m.Reason == in.Reason {
				return version{}, errUnchanged()
			}
			action = Changed
		}
		return version{kind: KindMark, id: in.QuestionID, action: action, note: in.Note}, nil
	})
	if err != nil {
		return Mark{}, err
	}
	m, _ := after.Mark(in.QuestionID)
	return m, nil
}

// Retire takes a current item out of the local set. The retirement is a
// version like any other, with its own citation and reason; the item's
// earlier versions stay in the history.
func (s *Service) Retire(ctx context.Context, actor access.Actor, k Kind, id string, note Note) error {
	if err := s.authorize(ctx, actor, subjectType(k), id); err != nil {
		return err
	}
	if !slices.Contains(Kinds(), k) {
		return errNotFound()
	}
	var f fields
	note.check(&f)
	if err := f.Err(); err != nil {
		return err
	}
	_, err := s.commit(ctx, actor, func(cur Local) (version, error) {
		var live bool
		switch k {
		case KindPlace:
			_, live = cur.Place(id)
		case KindSign:
			_, live = cur.Sign(id)
		case KindMark:
			_, live = cur.Mark(id)
		}
		if !live {
			return version{}, errNotFound()
		}
		return version{kind: k, id: id, action: Retired, note: note}, nil
	})
	return err
}
